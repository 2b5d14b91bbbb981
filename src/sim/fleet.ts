import { performance } from 'node:perf_hooks';
import type { RandomSessionOptions } from './random-behaviour.ts';
import { SimMetrics, type MetricsSnapshot } from './sim-metrics.ts';
import { SimStation, type SimStationEvent, type SimStationOptions } from './sim-station.ts';
import { SimStation201, type SimStation201Event, type SimStation201Options } from './v201/sim-station-201.ts';

/** The OCPP versions the simulator speaks. */
export type SimProtocol = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

export const SIM_PROTOCOLS: readonly SimProtocol[] = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'];

/** A station of a fleet: a 1.6 charge point or a 2.0.1 charging station. */
export type FleetStation = SimStation | SimStation201;

/** Options of the 2.0.1 stations that the fleet does not set itself. */
type Station201Extras = Partial<Omit<SimStation201Options, 'url' | 'id' | 'observer' | 'onEvent' | 'onFrame'>>;

export interface FleetOptions {
  /** CSMS endpoint without the station id, e.g. `ws://localhost:8180/ocpp`. */
  url: string;
  /** Number of stations. */
  stations: number;
  /** Station ids are `${prefix}${n}`; default `SIM-`. */
  prefix?: string;
  /** Zero-pad n to this many digits; default the digits of the last n; 0 = no padding. */
  idWidth?: number;
  /** The first n; default 1. */
  firstIndex?: number;
  /** Connectors per 1.6 station, EVSEs (one connector each) per 2.0.1 station; default 2. */
  connectors?: number;
  /** The OCPP version of every station; default ocpp1.6. Ignored when `mix` is given. */
  protocol?: SimProtocol;
  /**
   * Percent of the stations per version, e.g. `{ 'ocpp1.6': 70, 'ocpp2.0.1': 30 }` (must add up to 100). Ids stay
   * sequential; the versions are interleaved, always the same way for the same mix (see `assignProtocols`).
   */
  mix?: Partial<Record<SimProtocol, number>>;
  /** Stations connected per second; default 0 = all at once. */
  ratePerSecond?: number;
  /** Run random sessions on every station. */
  randomSessions?: RandomSessionOptions;
  meterValueSampleInterval?: number;
  password?: string;
  speed?: number;
  /** Further options for every 1.6 station. */
  station?: Partial<Omit<SimStationOptions, 'url' | 'id' | 'observer' | 'onEvent' | 'onFrame'>>;
  /** Further options for every 2.0.1 station. */
  station201?: Station201Extras;
  /** Events of the 1.6 stations. */
  onEvent?: (event: SimStationEvent) => void;
  /** Events of the 2.0.1 stations (their transaction ids are strings). */
  onEvent201?: (event: SimStation201Event) => void;
  onFrame?: (stationId: string, direction: 'in' | 'out', text: string) => void;
}

/** The state of the stations of one OCPP version. */
export interface ProtocolStats {
  stations: number;
  online: number;
  booted: number;
  activeSessions: number;
  sessionsStarted: number;
  sessionsEnded: number;
}

/** Fleet counters: the connection metrics plus the stations' state. */
export interface FleetStats extends MetricsSnapshot {
  stations: number;
  /** Stations started so far (the connect rate limit lets them in gradually). */
  launched: number;
  online: number;
  /** Stations whose last BootNotification was Accepted. */
  booted: number;
  activeSessions: number;
  sessionsStarted: number;
  sessionsEnded: number;
  elapsedS: number;
  /** The same counts per OCPP version (versions without stations included, all zero). */
  byProtocol: Record<SimProtocol, ProtocolStats>;
}

export interface FleetHandle {
  readonly stations: readonly FleetStation[];
  /** Resolves once every station has been started (or the fleet was stopped first). */
  readonly launched: Promise<void>;
  stats(): FleetStats;
  /** Stops launching, ends running sessions (unless `endSessions` is false) and disconnects every station. */
  stop(options?: { endSessions?: boolean }): Promise<void>;
}

/** `SIM-`, 3 stations from 1 -> SIM-1..SIM-3; width 3 -> SIM-001..SIM-003. */
export function stationIds(prefix: string, count: number, width: number, firstIndex = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(firstIndex + i).padStart(width, '0')}`);
}

/**
 * The version of each of `count` stations for a mix in percent: station i gets the version furthest behind its
 * share after i stations (ties in `SIM_PROTOCOLS` order), so the versions are spread evenly over the ids, every
 * count is the share rounded up or down, and the same mix always gives the same assignment.
 */
export function assignProtocols(count: number, mix: Partial<Record<SimProtocol, number>>): SimProtocol[] {
  const shares = SIM_PROTOCOLS.map((protocol) => ({ protocol, share: (mix[protocol] ?? 0) / 100, assigned: 0 }));
  const out: SimProtocol[] = [];
  for (let i = 1; i <= count; i++) {
    let best = shares[0];
    for (const entry of shares) {
      if (best === undefined || entry.share * i - entry.assigned > best.share * i - best.assigned) best = entry;
    }
    if (!best) break;
    best.assigned++;
    out.push(best.protocol);
  }
  return out;
}

/** A mix must give every version a share of 0-100 % and add up to 100 %; the reason when it does not. */
export function mixProblem(mix: Partial<Record<string, number>>): string | undefined {
  let sum = 0;
  for (const [protocol, share] of Object.entries(mix)) {
    if (!SIM_PROTOCOLS.includes(protocol as SimProtocol)) return `unknown protocol ${protocol} (use ${SIM_PROTOCOLS.join(' or ')})`;
    if (share === undefined || !Number.isFinite(share) || share < 0 || share > 100) return `the share of ${protocol} must be 0 to 100 %`;
    sum += share;
  }
  return Math.abs(sum - 100) > 1e-9 ? `the shares add up to ${sum} %, not 100 %` : undefined;
}

function emptyStats(): Record<SimProtocol, ProtocolStats> {
  const zero = (): ProtocolStats => ({ stations: 0, online: 0, booted: 0, activeSessions: 0, sessionsStarted: 0, sessionsEnded: 0 });
  return { 'ocpp1.6': zero(), 'ocpp2.0.1': zero(), 'ocpp2.1': zero() };
}

/** Runs `options.stations` simulated stations against one CSMS, connecting them at the given rate. */
export function runFleet(options: FleetOptions): FleetHandle {
  const firstIndex = options.firstIndex ?? 1;
  const width = options.idWidth ?? String(firstIndex + options.stations - 1).length;
  const metrics = new SimMetrics();
  const startedAt = performance.now();
  const sessions = emptyStats();
  const onEvent = (event: SimStationEvent): void => {
    if (event.type === 'session-started') sessions['ocpp1.6'].sessionsStarted++;
    else if (event.type === 'session-ended') sessions['ocpp1.6'].sessionsEnded++;
    options.onEvent?.(event);
  };
  const onEvent2 = (protocol: 'ocpp2.0.1' | 'ocpp2.1') => (event: SimStation201Event): void => {
    if (event.type === 'session-started') sessions[protocol].sessionsStarted++;
    else if (event.type === 'session-ended') sessions[protocol].sessionsEnded++;
    options.onEvent201?.(event);
  };
  const onFrame = options.onFrame;
  const problem = options.mix ? mixProblem(options.mix) : undefined;
  if (problem) throw new Error(`runFleet: bad mix: ${problem}`);
  const protocols = options.mix ? assignProtocols(options.stations, options.mix) : undefined;
  const stations = stationIds(options.prefix ?? 'SIM-', options.stations, width, firstIndex).map((id, index): FleetStation => {
    const frames = onFrame ? (direction: 'in' | 'out', text: string): void => onFrame(id, direction, text) : undefined;
    const protocol = protocols?.[index] ?? options.protocol ?? 'ocpp1.6';
    if (protocol !== 'ocpp1.6') {
      const extras = options.station201;
      return new SimStation201({
        ...extras,
        protocol,
        url: options.url,
        id,
        evses: options.connectors ?? extras?.evses,
        password: options.password ?? extras?.password,
        meterValueSampleInterval: options.meterValueSampleInterval ?? extras?.meterValueSampleInterval,
        speed: options.speed ?? extras?.speed,
        randomSessions: options.randomSessions ?? extras?.randomSessions,
        observer: metrics,
        onEvent: onEvent2(protocol),
        onFrame: frames,
      });
    }
    return new SimStation({
      ...options.station,
      url: options.url,
      id,
      connectors: options.connectors ?? options.station?.connectors,
      password: options.password ?? options.station?.password,
      meterValueSampleInterval: options.meterValueSampleInterval ?? options.station?.meterValueSampleInterval,
      speed: options.speed ?? options.station?.speed,
      randomSessions: options.randomSessions ?? options.station?.randomSessions,
      observer: metrics,
      onEvent,
      onFrame: frames,
    });
  });

  let launchedCount = 0;
  let launchTimer: NodeJS.Timeout | undefined;
  let resolveLaunched: () => void = () => undefined;
  const launched = new Promise<void>((resolve) => {
    resolveLaunched = resolve;
  });
  const rate = options.ratePerSecond ?? 0;
  const finishLaunch = (): void => {
    clearInterval(launchTimer);
    launchTimer = undefined;
    resolveLaunched();
  };
  const launchDue = (): void => {
    const due = rate > 0 ? Math.min(stations.length, Math.floor(((performance.now() - startedAt) / 1000) * rate) + 1) : stations.length;
    while (launchedCount < due) stations[launchedCount++]?.start();
    if (launchedCount >= stations.length) finishLaunch();
  };
  launchDue();
  if (launchedCount < stations.length) launchTimer = setInterval(launchDue, Math.max(5, Math.min(100, 1000 / rate)));

  return {
    stations,
    launched,
    stats(): FleetStats {
      const byProtocol = emptyStats();
      for (const protocol of SIM_PROTOCOLS) {
        byProtocol[protocol].sessionsStarted = sessions[protocol].sessionsStarted;
        byProtocol[protocol].sessionsEnded = sessions[protocol].sessionsEnded;
      }
      for (const station of stations) {
        const counts = byProtocol[station instanceof SimStation201 ? station.protocol : 'ocpp1.6'];
        counts.stations++;
        if (station.online) counts.online++;
        if (station.registration === 'Accepted') counts.booted++;
        counts.activeSessions += station.activeSessions();
      }
      const total = (field: keyof ProtocolStats): number => SIM_PROTOCOLS.reduce((n, protocol) => n + byProtocol[protocol][field], 0);
      return {
        ...metrics.snapshot(),
        stations: stations.length,
        launched: launchedCount,
        online: total('online'),
        booted: total('booted'),
        activeSessions: total('activeSessions'),
        sessionsStarted: total('sessionsStarted'),
        sessionsEnded: total('sessionsEnded'),
        elapsedS: (performance.now() - startedAt) / 1000,
        byProtocol,
      };
    },
    async stop(stopOptions = {}): Promise<void> {
      finishLaunch();
      await Promise.all(stations.map((station) => station.stop(stopOptions)));
    },
  };
}
