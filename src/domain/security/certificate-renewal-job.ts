import type { Logger } from '../../logging.ts';
import type { CertificateService } from './certificate-service.ts';

/** How often the job looks for certificates to renew. Each certificate is asked about at most once a day anyway. */
export const RENEWAL_CHECK_PERIOD_MS = 3_600_000;

/**
 * Asks stations to renew certificates that expire soon (CertificateService.renewDue). Every node may run it: a node
 * asks only the stations it can reach, and a renewal asked twice in a race costs one more CSR, nothing else.
 */
export class CertificateRenewalJob {
  private readonly certificates: CertificateService;
  private readonly periodMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(certificates: CertificateService, logger: Logger, periodMs = RENEWAL_CHECK_PERIOD_MS) {
    this.certificates = certificates;
    this.periodMs = periodMs;
    this.log = logger;
  }

  start(): void {
    // A random first delay spreads the nodes of a cluster apart.
    this.timer = setTimeout(() => {
      void this.runOnce();
      this.timer = setInterval(() => void this.runOnce(), this.periodMs);
      this.timer.unref();
    }, Math.round(Math.random() * Math.min(this.periodMs, 60_000)));
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** One pass; returns the stations asked to renew. */
  async runOnce(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    try {
      const asked = await this.certificates.renewDue();
      if (asked.length > 0) this.log.info({ stations: asked }, 'asked stations to renew their certificates');
      return asked;
    } catch (err) {
      this.log.warn({ err }, 'certificate renewal check failed');
      return [];
    } finally {
      this.running = false;
    }
  }
}
