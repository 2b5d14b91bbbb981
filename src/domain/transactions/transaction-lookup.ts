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
  /**
   * Each station's transaction remembered last, found without building the key of `entries`: a station reports
   * meter values for one transaction at a time (per connector), so this answers most lookups. At most one per station.
   */
  private readonly latest = new Map<string, TransactionRecord>();

  constructor(store: Store) {
    this.store = store;
  }

  /** The remembered transaction, without a store read (and without a promise, for the message path). */
  cached(stationId: string, stationTxId: string): TransactionRecord | undefined {
    const latest = this.latest.get(stationId);
    if (latest !== undefined && latest.stationTxId === stationTxId) return latest;
    const found = this.entries.get(`${stationId}\u0000${stationTxId}`);
    if (found) this.latest.set(stationId, found);
    return found;
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
    this.latest.set(tx.stationId, tx);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        const evicted = this.entries.get(oldest);
        this.entries.delete(oldest);
        if (evicted !== undefined && this.latest.get(evicted.stationId) === evicted) this.latest.delete(evicted.stationId);
      }
    }
  }

  forget(tx: TransactionRecord): void {
    this.entries.delete(`${tx.stationId}\u0000${tx.stationTxId}`);
    if (this.latest.get(tx.stationId)?.stationTxId === tx.stationTxId) this.latest.delete(tx.stationId);
  }
}
