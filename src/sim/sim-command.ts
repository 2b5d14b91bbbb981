import { parseArgs } from 'node:util';
import { mixProblem, runFleet, SIM_PROTOCOLS, type FleetStats, type SimProtocol } from './fleet.ts';

const USAGE = `Usage: joule sim [options]

Runs simulated OCPP 1.6 charge points and/or OCPP 2.0.1 / 2.1 charging stations against a central system.

Options:
  --url URL              CSMS endpoint, the station id is appended (default ws://localhost:8180/ocpp)
  --stations N           number of stations (default 1)
  --prefix TEXT          station id prefix (default SIM-)
  --protocol P           ocpp1.6, ocpp2.0.1 or ocpp2.1 for every station (default ocpp1.6); 2.1 stations
                         simulate V2G EVs (bidirectional, they tell their needs and follow discharge setpoints)
  --mix 1.6=60,2.0.1=30,2.1=10  percent of the stations per version (adds up to 100; ids stay sequential)
  --connectors N         connectors per station; EVSEs (one connector each) for 2.0.1 (default 2)
  --rate N               stations connected per second (default 50; 0 = all at once)
  --sessions             run random charging sessions
  --id-tags A,B,C        idTags for random sessions (default SIM-TAG-1,SIM-TAG-2,SIM-TAG-3)
  --meter-interval S     MeterValueSampleInterval / TxUpdatedInterval in seconds (default 60)
  --speed X              simulated time runs X times faster (energy, session lengths; default 1)
  --duration S           stop after S seconds (default: run until Ctrl-C)
  --password TEXT        HTTP Basic auth password (security profile 1)
  --status-interval S    seconds between status lines (default 5)
  --verbose              print every OCPP frame
  -h, --help             show this help`;

/** The parsed `joule sim` options. */
export interface SimCommandOptions {
  url: string;
  stations: number;
  prefix: string;
  /** Every station's version, unless `mix` is set. */
  protocol: SimProtocol;
  /** Percent per version; undefined = all `protocol`. */
  mix: Partial<Record<SimProtocol, number>> | undefined;
  connectors: number;
  rate: number;
  sessions: boolean;
  idTags: string[];
  meterInterval: number;
  speed: number;
  durationS: number | undefined;
  password: string | undefined;
  statusIntervalS: number;
  verbose: boolean;
  help: boolean;
}

/** A command-line mistake: reported with the usage text, exit code 2. */
export class SimUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimUsageError';
  }
}

function number(name: string, raw: string | undefined, fallback: number, { integer = true, min = 0 } = {}): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new SimUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${raw}"`);
  }
  return value;
}

/** `1.6`, `ocpp1.6` -> `ocpp1.6`; `2.0.1`, `ocpp2.0.1` -> `ocpp2.0.1`; `2.1` -> `ocpp2.1`. */
function protocolName(raw: string): SimProtocol | undefined {
  const name = raw.trim().toLowerCase();
  const full = name.startsWith('ocpp') ? name : `ocpp${name}`;
  return SIM_PROTOCOLS.find((p) => p === full);
}

/** `1.6=70,2.0.1=30` -> `{ 'ocpp1.6': 70, 'ocpp2.0.1': 30 }`. */
export function parseMix(raw: string): Partial<Record<SimProtocol, number>> {
  const mix: Partial<Record<SimProtocol, number>> = {};
  for (const part of raw.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    const protocol = m?.[1] === undefined ? undefined : protocolName(m[1]);
    if (!m?.[2] || !protocol) throw new SimUsageError(`--mix takes version=percent pairs such as 1.6=70,2.0.1=30, got "${raw}"`);
    if (mix[protocol] !== undefined) throw new SimUsageError(`--mix names ${protocol} twice`);
    mix[protocol] = Number(m[2]);
  }
  const problem = mixProblem(mix);
  if (problem) throw new SimUsageError(`--mix: ${problem}`);
  return mix;
}

/** Parses `joule sim` arguments; throws `SimUsageError` on a mistake. */
export function parseSimArgs(argv: string[]): SimCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        stations: { type: 'string' },
        prefix: { type: 'string' },
        protocol: { type: 'string' },
        mix: { type: 'string' },
        connectors: { type: 'string' },
        rate: { type: 'string' },
        sessions: { type: 'boolean' },
        'id-tags': { type: 'string' },
        'meter-interval': { type: 'string' },
        speed: { type: 'string' },
        duration: { type: 'string' },
        password: { type: 'string' },
        'status-interval': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new SimUsageError(error instanceof Error ? error.message : String(error));
  }
  const idTags = (values['id-tags'] ?? 'SIM-TAG-1,SIM-TAG-2,SIM-TAG-3').split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (idTags.length === 0 || idTags.some((t) => t.length > 20)) throw new SimUsageError('--id-tags needs idTags of 1 to 20 characters');
  const url = values.url ?? 'ws://localhost:8180/ocpp';
  if (!/^wss?:\/\//.test(url)) throw new SimUsageError(`--url must start with ws:// or wss://, got "${url}"`);
  if (values.protocol !== undefined && values.mix !== undefined) throw new SimUsageError('use either --protocol or --mix, not both');
  const protocol = values.protocol === undefined ? 'ocpp1.6' : protocolName(values.protocol);
  if (!protocol) throw new SimUsageError(`--protocol must be ${SIM_PROTOCOLS.join(' or ')}, got "${values.protocol ?? ''}"`);
  return {
    url,
    stations: number('stations', values.stations, 1, { min: 1 }),
    prefix: values.prefix ?? 'SIM-',
    protocol,
    mix: values.mix === undefined ? undefined : parseMix(values.mix),
    connectors: number('connectors', values.connectors, 2, { min: 1 }),
    rate: number('rate', values.rate, 50, { integer: false }),
    sessions: values.sessions ?? false,
    idTags,
    meterInterval: number('meter-interval', values['meter-interval'], 60),
    speed: number('speed', values.speed, 1, { integer: false, min: 0.001 }),
    durationS: values.duration === undefined ? undefined : number('duration', values.duration, 0, { integer: false }),
    password: values.password,
    statusIntervalS: number('status-interval', values['status-interval'], 5, { integer: false, min: 0.1 }),
    verbose: values.verbose ?? false,
    help: values.help ?? false,
  };
}

function ms(value: number): string {
  return value.toFixed(1);
}

/** ` (1.6 7/7, 2.0.1 3/3 online)` when the fleet has stations of more than one version, else nothing. */
function perProtocol(stats: FleetStats): string {
  const present = SIM_PROTOCOLS.filter((p) => stats.byProtocol[p].stations > 0);
  if (present.length < 2) return '';
  return ` (${present.map((p) => `${p.slice(4)} ${stats.byProtocol[p].online}/${stats.byProtocol[p].stations}`).join(', ')} online)`;
}

/** One status line, e.g. `[   5s] online 10/10 booted 10 sessions 3 ...`. */
export function statusLine(stats: FleetStats): string {
  const l = stats.latencyMs;
  return (
    `[${stats.elapsedS.toFixed(0).padStart(5)}s] online ${stats.online}/${stats.stations} booted ${stats.booted}${perProtocol(stats)} ` +
    `sessions ${stats.activeSessions} (started ${stats.sessionsStarted}, ended ${stats.sessionsEnded}) ` +
    `frames out ${stats.messagesSent} in ${stats.messagesReceived} | calls ok ${stats.callsAnswered} ` +
    `error ${stats.callErrors} timeout ${stats.callTimeouts} | latency p50 ${ms(l.p50)} p95 ${ms(l.p95)} p99 ${ms(l.p99)} ms` +
    (stats.online < stats.launched && stats.lastSocketError !== undefined ? ` | last socket error: ${stats.lastSocketError}` : '')
  );
}

function summary(stats: FleetStats): string {
  const l = stats.latencyMs;
  return [
    `Summary after ${stats.elapsedS.toFixed(1)} s:`,
    `  stations        ${stats.stations} (connects ${stats.connects}, disconnects ${stats.disconnects})`,
    ...SIM_PROTOCOLS.filter((p) => stats.byProtocol[p].stations > 0).map(
      (p) => `  ${p.padEnd(16)}${stats.byProtocol[p].stations} station(s), sessions started ${stats.byProtocol[p].sessionsStarted}, ended ${stats.byProtocol[p].sessionsEnded}`,
    ),
    `  sessions        started ${stats.sessionsStarted}, ended ${stats.sessionsEnded}`,
    `  frames          sent ${stats.messagesSent}, received ${stats.messagesReceived}`,
    `  calls           answered ${stats.callsAnswered}, CALLERROR ${stats.callErrors}, timeout ${stats.callTimeouts}, not delivered ${stats.callsNotDelivered}`,
    `  latency (ms)    mean ${ms(l.mean)}, p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`,
  ].join('\n');
}

/** Resolves after `durationS` seconds, or on SIGINT/SIGTERM; leaves no listener or timer behind. */
function untilStopped(durationS: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    if (durationS !== undefined) timer = setTimeout(done, durationS * 1000);
  });
}

/** Where `joule sim` writes its lines (tests capture them). */
export interface SimCommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: SimCommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `joule sim`: runs a fleet of simulated stations, prints a status line every few seconds and a summary at the end. */
export async function simCommand(argv: string[], output: SimCommandOutput = processOutput): Promise<void> {
  let options: SimCommandOptions;
  try {
    options = parseSimArgs(argv);
  } catch (error) {
    if (!(error instanceof SimUsageError)) throw error;
    output.err(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    output.out(USAGE);
    return;
  }
  const { out } = output;
  const fleet = runFleet({
    url: options.url,
    stations: options.stations,
    prefix: options.prefix,
    protocol: options.protocol,
    mix: options.mix,
    connectors: options.connectors,
    ratePerSecond: options.rate,
    randomSessions: options.sessions ? { idTags: options.idTags } : undefined,
    meterValueSampleInterval: options.meterInterval,
    password: options.password,
    speed: options.speed,
    onFrame: options.verbose ? (id, direction, text) => out(`${id} ${direction === 'in' ? '<-' : '->'} ${text}`) : undefined,
  });
  const versions = options.mix
    ? SIM_PROTOCOLS.filter((p) => (options.mix?.[p] ?? 0) > 0).map((p) => `${p} ${options.mix?.[p] ?? 0} %`).join(', ')
    : options.protocol;
  out(`joule sim: ${options.stations} station(s) x ${options.connectors} connector(s), ${versions} -> ${options.url} (Ctrl-C to stop)`);
  const statusTimer = setInterval(() => out(statusLine(fleet.stats())), options.statusIntervalS * 1000);
  await untilStopped(options.durationS);
  clearInterval(statusTimer);
  out('stopping: ending sessions and disconnecting...');
  await fleet.stop();
  out(summary(fleet.stats()));
}
