import type {
  BootInfo,
  CommandRecord,
  CommandRepository,
  ConfigurationKeyRecord,
  ConnectorStatusRecord,
  IdTokenRecord,
  IdTokenRepository,
  MeterValueRecord,
  MeterValueRepository,
  RegistrationStatus,
  StationEventRecord,
  StationEventRepository,
  StationRecord,
  StationRegistration,
  StationRepository,
  Store,
  TransactionQuery,
  TransactionRecord,
  TransactionRepository,
  TransactionStart,
  TransactionStop,
} from '../../../src/store/ports.ts';

/** A `Store` in memory for API tests: plain maps and arrays with the ports' semantics, newest first in lists. */

const now = () => new Date().toISOString();

function newestFirst<T>(rows: T[], limit: number): T[] {
  return rows.slice(-limit).reverse();
}

class MemoryStations implements StationRepository {
  private readonly stations = new Map<string, StationRecord>();
  private readonly current = new Map<string, ConnectorStatusRecord>();
  private readonly history: ConnectorStatusRecord[] = [];
  private readonly config = new Map<string, ConfigurationKeyRecord[]>();

  async get(id: string) {
    return this.stations.get(id);
  }

  async list() {
    return [...this.stations.values()];
  }

  private ensure(id: string): StationRecord {
    let station = this.stations.get(id);
    if (!station) {
      const at = now();
      station = {
        id, protocol: null, vendor: null, model: null, serialNumber: null, chargeBoxSerialNumber: null, firmwareVersion: null,
        iccid: null, imsi: null, meterType: null, meterSerialNumber: null, registrationStatus: null, registered: false,
        bootPolicy: null, securityProfile: null, defaultProtocol: null, description: null, lastBootAt: null, lastSeen: null,
        createdAt: at, updatedAt: at,
      };
      this.stations.set(id, station);
    }
    return station;
  }

  async register(registration: StationRegistration) {
    const station = this.ensure(registration.id);
    const { id: _id, ...fields } = registration;
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) Object.assign(station, { [key]: value });
    }
    station.updatedAt = now();
    return { ...station };
  }

  async recordBoot(id: string, info: BootInfo, status: RegistrationStatus, at: string) {
    const station = this.ensure(id);
    Object.assign(station, {
      protocol: info.protocol,
      vendor: info.vendor,
      model: info.model,
      serialNumber: info.serialNumber ?? null,
      chargeBoxSerialNumber: info.chargeBoxSerialNumber ?? null,
      firmwareVersion: info.firmwareVersion ?? null,
      registrationStatus: status,
      lastBootAt: at,
      lastSeen: at,
      updatedAt: at,
    });
    return { ...station };
  }

  touch(id: string, at: string) {
    const station = this.stations.get(id);
    if (station) station.lastSeen = at;
  }

  async connectors(stationId: string) {
    return [...this.current.values()].filter((c) => c.stationId === stationId);
  }

  async recordStatus(status: ConnectorStatusRecord) {
    this.current.set(`${status.stationId}/${status.evseId}/${status.connectorId}`, status);
    this.history.push(status);
  }

  async statusHistory(stationId: string, limit: number) {
    return newestFirst(this.history.filter((s) => s.stationId === stationId), limit);
  }

  async configuration(stationId: string) {
    return this.config.get(stationId) ?? [];
  }

  async saveConfiguration(stationId: string, keys: Omit<ConfigurationKeyRecord, 'stationId' | 'updatedAt'>[], at: string) {
    this.config.set(stationId, keys.map((k) => ({ ...k, stationId, updatedAt: at })));
  }
}

class MemoryIdTokens implements IdTokenRepository {
  private readonly tokens = new Map<string, IdTokenRecord>();

  async get(idToken: string) {
    return this.tokens.get(idToken.toLowerCase());
  }

  async put(record: Omit<IdTokenRecord, 'createdAt' | 'updatedAt'>) {
    const at = now();
    const stored = { ...record, createdAt: this.tokens.get(record.idToken.toLowerCase())?.createdAt ?? at, updatedAt: at };
    this.tokens.set(record.idToken.toLowerCase(), stored);
    return stored;
  }

  async delete(idToken: string) {
    return this.tokens.delete(idToken.toLowerCase());
  }

  async list() {
    return [...this.tokens.values()];
  }
}

class MemoryTransactions implements TransactionRepository {
  private readonly rows: TransactionRecord[] = [];

  async start(start: TransactionStart) {
    const existing = this.rows.find((t) => t.stationId === start.stationId && t.connectorId === start.connectorId
      && t.idToken === start.idToken && t.startedAt === start.startedAt);
    if (existing) return { record: existing, duplicate: true };
    const id = String(this.rows.length + 1);
    const record: TransactionRecord = {
      id, stationTxId: start.stationTxId ?? id, stationId: start.stationId, evseId: start.evseId, connectorId: start.connectorId,
      idToken: start.idToken, startedAt: start.startedAt, stoppedAt: null, meterStartWh: start.meterStartWh, meterStopWh: null,
      lastMeterWh: null, energyWh: null, stopReason: null, stopIdToken: null, reservationId: start.reservationId ?? null,
      flags: start.flags ?? [], createdAt: now(), updatedAt: now(),
    };
    this.rows.push(record);
    return { record, duplicate: false };
  }

  async stop(stop: TransactionStop) {
    const tx = this.rows.find((t) => t.id === stop.id);
    if (!tx) return undefined;
    if (tx.stoppedAt) return { record: tx, duplicate: true };
    Object.assign(tx, {
      stoppedAt: stop.stoppedAt,
      meterStopWh: stop.meterStopWh,
      stopReason: stop.stopReason,
      stopIdToken: stop.stopIdToken,
      energyWh: stop.meterStopWh !== null && tx.meterStartWh !== null ? stop.meterStopWh - tx.meterStartWh : null,
      updatedAt: now(),
    });
    return { record: tx, duplicate: false };
  }

  async updateMeter(id: string, lastMeterWh: number, at: string) {
    const tx = this.rows.find((t) => t.id === id);
    if (tx) Object.assign(tx, { lastMeterWh, updatedAt: at });
  }

  async get(id: string) {
    return this.rows.find((t) => t.id === id);
  }

  async findByStationTxId(stationId: string, stationTxId: string) {
    return this.rows.find((t) => t.stationId === stationId && t.stationTxId === stationTxId);
  }

  async list(query: TransactionQuery) {
    const matching = this.rows.filter((t) => (query.stationId === undefined || t.stationId === query.stationId)
      && (query.active === undefined || (t.stoppedAt === null) === query.active));
    const offset = query.offset ?? 0;
    return [...matching].reverse().slice(offset, offset + (query.limit ?? 100));
  }

  async activeForIdToken(idToken: string) {
    return this.rows.filter((t) => t.stoppedAt === null && t.idToken?.toLowerCase() === idToken.toLowerCase());
  }

  async activeForConnector(stationId: string, evseId: number, connectorId: number) {
    return this.rows.find((t) => t.stoppedAt === null && t.stationId === stationId && t.evseId === evseId && t.connectorId === connectorId);
  }
}

class MemoryMeterValues implements MeterValueRepository {
  private readonly rows: MeterValueRecord[] = [];

  async append(rows: MeterValueRecord[]) {
    this.rows.push(...rows);
    return rows.length;
  }

  async forTransaction(transactionId: string) {
    return this.rows.filter((r) => r.transactionId === transactionId);
  }

  async forStation(stationId: string, limit: number) {
    return newestFirst(this.rows.filter((r) => r.stationId === stationId), limit);
  }
}

class MemoryCommands implements CommandRepository {
  private readonly rows: CommandRecord[] = [];

  async create(record: CommandRecord) {
    this.rows.push({ ...record });
  }

  async complete(id: string, outcome: Pick<CommandRecord, 'status' | 'response' | 'error' | 'completedAt'>) {
    const row = this.rows.find((r) => r.id === id);
    if (row) Object.assign(row, outcome);
  }

  async get(id: string) {
    return this.rows.find((r) => r.id === id);
  }

  async list(stationId: string | undefined, limit: number) {
    return newestFirst(this.rows.filter((r) => stationId === undefined || r.stationId === stationId), limit);
  }
}

class MemoryStationEvents implements StationEventRepository {
  private readonly rows: StationEventRecord[] = [];

  async append(event: StationEventRecord) {
    this.rows.push(event);
  }

  async list(stationId: string, type: string | undefined, limit: number) {
    return newestFirst(this.rows.filter((r) => r.stationId === stationId && (type === undefined || r.type === type)), limit);
  }
}

/** A fresh, empty in-memory store. */
export function memoryStore(): Store {
  return {
    stations: new MemoryStations(),
    idTokens: new MemoryIdTokens(),
    transactions: new MemoryTransactions(),
    meterValues: new MemoryMeterValues(),
    commands: new MemoryCommands(),
    stationEvents: new MemoryStationEvents(),
    close: async () => {},
  };
}
