import type { Logger } from '../../logging.ts';
import type { TransactionService } from './transaction-service.ts';

/** How often the job looks for stale transactions: a tenth of the limit, between one minute and one hour. */
function periodFor(maxIdleMs: number): number {
  return Math.min(3_600_000, Math.max(60_000, Math.round(maxIdleMs / 10)));
}

/**
 * Closes transactions that stations never ended (field notes §3 #18: a StopTransaction or Ended that never comes).
 * Every node may run it: closing is idempotent, so a transaction closed by two nodes is closed once.
 */
export class StaleTransactionJob {
  private readonly transactions: TransactionService;
  private readonly maxIdleMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(transactions: TransactionService, maxIdleMs: number, logger: Logger) {
    this.transactions = transactions;
    this.maxIdleMs = maxIdleMs;
    this.log = logger;
  }

  start(): void {
    // A random first delay spreads the nodes of a cluster apart.
    const period = periodFor(this.maxIdleMs);
    this.timer = setTimeout(() => {
      void this.runOnce();
      this.timer = setInterval(() => void this.runOnce(), period);
      this.timer.unref();
    }, Math.round(Math.random() * period));
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** One pass; returns the number of transactions closed. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const closed = await this.transactions.closeStale(this.maxIdleMs);
      if (closed.length > 0) this.log.info({ closed: closed.map((tx) => tx.id) }, 'closed stale transactions');
      return closed.length;
    } catch (err) {
      this.log.warn({ err }, 'stale transaction check failed');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
