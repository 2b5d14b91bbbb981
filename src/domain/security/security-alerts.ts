/**
 * Alerts on critical security events: an error-level log line, and (JOULE_SECURITY_ALERT_WEBHOOK) a JSON POST to
 * the operator's webhook, retried with exponential backoff. Delivery runs in the background: it never delays or fails
 * the station's message, and at most `maxPending` deliveries wait at once (more are dropped with a warning).
 */
import type { Logger } from '../../logging.ts';

export interface SecurityAlert {
  stationId: string;
  type: string;
  timestamp: string;
  techInfo: string | null;
  receivedAt: string;
}

export interface SecurityAlertOptions {
  webhookUrl?: string | undefined;
  logger?: Logger | undefined;
  /** Attempts per alert (first try included); default 4. */
  attempts?: number;
  /** Delay before the first retry, doubled for each next one; default 1 s. */
  retryDelayMs?: number;
  /** Per-attempt timeout; default 10 s. */
  timeoutMs?: number;
  maxPending?: number;
}

export class SecurityAlerts {
  private readonly options: SecurityAlertOptions;
  private pending = 0;

  constructor(options: SecurityAlertOptions = {}) {
    this.options = options;
  }

  raise(alert: SecurityAlert): void {
    this.options.logger?.error({ securityAlert: alert }, `critical security event ${alert.type} from station ${alert.stationId}`);
    const url = this.options.webhookUrl;
    if (url === undefined) return;
    if (this.pending >= (this.options.maxPending ?? 1000)) {
      this.options.logger?.warn({ stationId: alert.stationId, type: alert.type }, 'security alert webhook backlog full: alert not delivered');
      return;
    }
    this.pending++;
    void this.deliver(url, alert).finally(() => {
      this.pending--;
    });
  }

  private async deliver(url: string, alert: SecurityAlert): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    let delay = this.options.retryDelayMs ?? 1000;
    const body = JSON.stringify({ event: 'security.alert', ...alert });
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.options.logger?.warn({ status: response.status, type: alert.type }, 'security alert webhook refused the alert');
          return;
        }
      } catch {
        // network error or timeout: retried below
      }
      if (attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        delay *= 2;
      }
    }
    this.options.logger?.warn({ stationId: alert.stationId, type: alert.type, attempts }, 'security alert webhook unreachable: alert not delivered');
  }
}
