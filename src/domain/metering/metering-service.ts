import type { ClusterBus } from '../../cluster/bus.ts';
import type { MeterReading, MeterValueRecord, Store, TransactionRecord } from '../../store/ports.ts';
import { nowIso, stationTime } from '../clock.ts';
import { DomainError } from '../errors.ts';
import { energySoFarWh } from '../transactions/baseline.ts';
import type { TransactionLookup } from '../transactions/transaction-lookup.ts';
import { measuredDraw } from './measured-draw.ts';
import { energyRegisterWh, type MeterValueInput } from './sampled-value.ts';

export interface MeterValuesReport {
  evseId: number;
  connectorId: number;
  /** The station's id for the transaction, when it named one. */
  stationTxId?: string | undefined;
  values: MeterValueInput[];
}

/**
 * Meter values: stored durably as readings (one per meter value the station sent, with its sampled values; replays
 * skipped), attached to their transaction, energy tracked. Read back one record per sampled value.
 */
export class MeteringService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly transactions: TransactionLookup;

  constructor(store: Store, bus: ClusterBus, transactions: TransactionLookup) {
    this.store = store;
    this.bus = bus;
    this.transactions = transactions;
  }

  async record(stationId: string, report: MeterValuesReport): Promise<void> {
    const { stationTxId } = report;
    const tx = !stationTxId
      ? undefined
      : (this.transactions.cached(stationId, stationTxId) ?? (await this.transactions.find(stationId, stationTxId)));
    const readings = toReadings(stationId, report, tx?.id ?? null);
    if (readings.length === 0) return;
    const stored = this.store.meterValues.append(readings);
    const registerWh = tx && tx.stoppedAt === null ? energyRegisterWh(report.values) : undefined;
    if (tx && registerWh !== undefined) await Promise.all([stored, this.store.transactions.updateMeter(tx.id, registerWh, nowIso())]);
    else await stored;
    const draw = measuredDraw(report.values);
    this.bus.publish({
      type: 'meter.values',
      stationId,
      data: {
        evseId: report.evseId, connectorId: report.connectorId, transactionId: tx?.id ?? null, samples: sampleCount(readings),
        // What the EV draws now (smart charging compares it with what it was offered).
        ...(draw === undefined ? {} : { draw }),
      },
    });
    if (tx && registerWh !== undefined) {
      this.bus.publish({
        type: 'transaction.updated',
        stationId,
        data: { transactionId: tx.id, meterWh: registerWh, energyWh: energySoFarWh(tx, registerWh, Date.now()) },
      });
    }
  }

  /** Stores the meter values that come with a transaction message (e.g. 1.6 StopTransaction transactionData). */
  async recordForTransaction(tx: TransactionRecord, values: MeterValueInput[]): Promise<void> {
    const readings = toReadings(tx.stationId, { evseId: tx.evseId, connectorId: tx.connectorId, values }, tx.id);
    if (readings.length > 0) await this.store.meterValues.append(readings);
  }

  async forTransaction(transactionId: string): Promise<MeterValueRecord[]> {
    const tx = await this.store.transactions.get(transactionId);
    if (!tx) throw new DomainError('not_found', `Transaction ${transactionId} is not known`);
    return this.store.meterValues.forTransaction(tx.stationId, transactionId);
  }

  forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    return this.store.meterValues.forStation(stationId, limit);
  }
}

/** One reading per meter value that has sampled values, in the order sent. */
function toReadings(stationId: string, report: MeterValuesReport, transactionId: string | null): MeterReading[] {
  const receivedAt = nowIso();
  const readings: MeterReading[] = [];
  for (const mv of report.values) {
    if (mv.sampledValues.length === 0) continue;
    readings.push({
      stationId,
      evseId: report.evseId,
      connectorId: report.connectorId,
      transactionId,
      timestamp: stationTime(mv.timestamp, receivedAt),
      // The adapter made these for this message alone, with exactly the stored fields: kept as they are.
      sampledValues: mv.sampledValues,
      receivedAt,
    });
  }
  return readings;
}

function sampleCount(readings: MeterReading[]): number {
  return readings.reduce((sum, reading) => sum + reading.sampledValues.length, 0);
}
