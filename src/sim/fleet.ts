import { performance } from 'node:perf_hooks';
import type { RandomSessionOptions } from './random-behaviour.ts';
import { SimMetrics, type MetricsSnapshot } from './sim-metrics.ts';
import { SimStation, type SimStationEvent, type SimStationOptions } from './sim-station.ts';

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
  /** Connectors per station; default 2. */
  connectors?: number;
  /** Stations connected per second; default 0 = all at once. */
  ratePerSecond?: number;
  /** Run random sessions on every station. */
  randomSessions?: RandomSessionOptions;
  meterValueSampleInterval?: number;
  password?: string;
  speed?: number;
  /** Further options for every station. */
  station?: Partial<Omit<SimStationOptions, 'url' | 'id' | 'observer' | 'onEvent' | 'onFrame'>>;
  onEvent?: (event: SimStationEvent) => void;
  onFrame?: (stationId: string, direction: 'in' | 'out', text: string) => void;
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
}

export interface FleetHandle {
  readonly stations: readonly SimStation[];
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

/** Runs `options.stations` simulated stations against one CSMS, connecting them at the given rate. */
export function runFleet(options: FleetOptions): FleetHandle {
  const firstIndex = options.firstIndex ?? 1;
  const width = options.idWidth ?? String(firstIndex + options.stations - 1).length;
  const metrics = new SimMetrics();
  const startedAt = performance.now();
  let sessionsStarted = 0;
  let sessionsEnded = 0;
  const onEvent = (event: SimStationEvent): void => {
    if (event.type === 'session-started') sessionsStarted++;
    else if (event.type === 'session-ended') sessionsEnded++;
    options.onEvent?.(event);
  };
  const onFrame = options.onFrame;
  const stations = stationIds(options.prefix ?? 'SIM-', options.stations, width, firstIndex).map(
    (id) =>
      new SimStation({
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
        onFrame: onFrame ? (direction, text) => onFrame(id, direction, text) : undefined,
      }),
  );

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
      let online = 0;
      let booted = 0;
      let activeSessions = 0;
      for (const station of stations) {
        if (station.online) online++;
        if (station.registration === 'Accepted') booted++;
        activeSessions += station.activeSessions();
      }
      return {
        ...metrics.snapshot(),
        stations: stations.length,
        launched: launchedCount,
        online,
        booted,
        activeSessions,
        sessionsStarted,
        sessionsEnded,
        elapsedS: (performance.now() - startedAt) / 1000,
      };
    },
    async stop(stopOptions = {}): Promise<void> {
      finishLaunch();
      await Promise.all(stations.map((station) => station.stop(stopOptions)));
    },
  };
}
