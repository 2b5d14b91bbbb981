import type { Store, TransactionRecord } from '../../store/ports.ts';

/** Most transactions kept; the oldest entries go first when it is full. */
const MAX_ENTRIES = 100_000;

/**
 * Finds a station's transaction by the station's id for it, remembering recent answers: a charging station sends
 * meter values for the same transaction every few seconds, and each would otherwise cost a store read on the
 * message path. A stale entry (stopped on another node) is harmless: meter values still attach to the right
 * transaction, and the store ignores meter updates of stopped transactions.
 */
export class TransactionLookup {
  private readonly store: Store;
  private readonly entries = new Map<string, TransactionRecord>();

  constructor(store: Store) {
    this.store = store;
  }

  /** The remembered transaction, without a store read (and without a promise, for the message path). */
  cached(stationId: string, stationTxId: string): TransactionRecord | undefined {
    return this.entries.get(`${stationId}\u0000${stationTxId}`);
  }

  async find(stationId: string, stationTxId: string): Promise<TransactionRecord | undefined> {
    const cached = this.cached(stationId, stationTxId);
    if (cached) return cached;
    const found = await this.store.transactions.findByStationTxId(stationId, stationTxId);
    if (found) this.remember(found);
    return found;
  }

  remember(tx: TransactionRecord): void {
    const key = `${tx.stationId}\u0000${tx.stationTxId}`;
    this.entries.delete(key);
    this.entries.set(key, tx);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(tx: TransactionRecord): void {
    this.entries.delete(`${tx.stationId}\u0000${tx.stationTxId}`);
  }
}
