import type { ClusterBus } from '../../cluster/bus.ts';
import type { MeterValueRecord, Store, TransactionRecord } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';
import type { TransactionLookup } from '../transactions/transaction-lookup.ts';
import { energyRegisterWh, numericValue, type MeterValueInput } from './sampled-value.ts';

export interface MeterValuesReport {
  evseId: number;
  connectorId: number;
  /** The station's id for the transaction, when it named one. */
  stationTxId?: string | undefined;
  values: MeterValueInput[];
}

/** Meter values: stored durably (replays skipped), attached to their transaction, energy tracked. */
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
    const tx = report.stationTxId ? await this.transactions.find(stationId, report.stationTxId) : undefined;
    const rows = toRows(stationId, report, tx?.id ?? null);
    if (rows.length === 0) return;
    const work: Promise<unknown>[] = [this.store.meterValues.append(rows)];
    const registerWh = tx && tx.stoppedAt === null ? energyRegisterWh(report.values) : undefined;
    if (tx && registerWh !== undefined) work.push(this.store.transactions.updateMeter(tx.id, registerWh, new Date().toISOString()));
    await Promise.all(work);
    this.bus.publish({
      type: 'meter.values',
      stationId,
      data: { evseId: report.evseId, connectorId: report.connectorId, transactionId: tx?.id ?? null, samples: rows.length },
    });
    if (tx && registerWh !== undefined) {
      this.bus.publish({
        type: 'transaction.updated',
        stationId,
        data: { transactionId: tx.id, meterWh: registerWh, energyWh: tx.meterStartWh === null ? null : registerWh - tx.meterStartWh },
      });
    }
  }

  /** Stores the meter values that come with a transaction message (e.g. 1.6 StopTransaction transactionData). */
  async recordForTransaction(tx: TransactionRecord, values: MeterValueInput[]): Promise<void> {
    const rows = toRows(tx.stationId, { evseId: tx.evseId, connectorId: tx.connectorId, values }, tx.id);
    if (rows.length > 0) await this.store.meterValues.append(rows);
  }

  async forTransaction(transactionId: string): Promise<MeterValueRecord[]> {
    const tx = await this.store.transactions.get(transactionId);
    if (!tx) throw new DomainError('not_found', `Transaction ${transactionId} is not known`);
    return this.store.meterValues.forTransaction(transactionId);
  }

  forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    return this.store.meterValues.forStation(stationId, limit);
  }
}

function toRows(stationId: string, report: MeterValuesReport, transactionId: string | null): MeterValueRecord[] {
  const receivedAt = new Date().toISOString();
  const rows: MeterValueRecord[] = [];
  for (const mv of report.values) {
    for (const sv of mv.sampledValues) {
      rows.push({
        stationId,
        evseId: report.evseId,
        connectorId: report.connectorId,
        transactionId,
        timestamp: mv.timestamp,
        measurand: sv.measurand,
        phase: sv.phase,
        location: sv.location,
        unit: sv.unit,
        context: sv.context,
        format: sv.format,
        value: sv.value,
        numericValue: sv.format === 'SignedData' ? null : numericValue(sv.value),
        receivedAt,
      });
    }
  }
  return rows;
}
