import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

type Frame = unknown[];

/**
 * A bare OCPP-J client for tests: sends exact frames (including malformed ones) and reads what comes back. It
 * answers nothing by itself unless `onCall` is set.
 */
export class RawStation {
  readonly ws: WebSocket;
  readonly protocol: string;
  private readonly inbox: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  onCall: ((action: string, payload: any, id: string) => unknown) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.protocol = ws.protocol;
    ws.on('message', (data) => {
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        return;
      }
      if (frame[0] === 2 && this.onCall) {
        const result = this.onCall(frame[2] as string, frame[3], frame[1] as string);
        if (result !== undefined) ws.send(JSON.stringify([3, frame[1], result]));
        return;
      }
      const waiter = this.waiters.findIndex((w) => w.match(frame));
      if (waiter >= 0) {
        const [w] = this.waiters.splice(waiter, 1);
        w!.resolve(frame);
      } else this.inbox.push(frame);
    });
  }

  /** `tls`: TLS options for a `wss://` url (trusted CA, client certificate and key, versions, cipher suites). */
  static connect(
    url: string,
    id: string,
    protocols: string | string[] | undefined = 'ocpp1.6',
    headers: Record<string, string> = {},
    tls: WebSocket.ClientOptions = {},
  ): Promise<RawStation> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}/${encodeURIComponent(id)}`, protocols, { ...tls, headers });
      ws.once('open', () => resolve(new RawStation(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends raw text. */
  sendText(text: string): void {
    this.ws.send(text);
  }

  /** Waits for the next frame with this message id (a reply). */
  next(id: string, timeoutMs = 5000): Promise<Frame> {
    const i = this.inbox.findIndex((f) => f[1] === id);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${id}`)), timeoutMs);
      this.waiters.push({ match: (f) => f[1] === id, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  /** Sends a CALL and returns the reply frame ([3, id, payload] or [4, id, code, description, details]). */
  async call(action: string, payload: unknown, id: string = randomUUID()): Promise<Frame> {
    this.ws.send(JSON.stringify([2, id, action, payload]));
    return this.next(id);
  }

  /** Sends a CALL and returns the CALLRESULT payload, failing on a CALLERROR. */
  async ok(action: string, payload: unknown): Promise<any> {
    const reply = await this.call(action, payload);
    if (reply[0] !== 3) throw new Error(`${action} answered ${JSON.stringify(reply)}`);
    return reply[2];
  }

  waitClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.ws.once('close', (code, reason) => { clearTimeout(timer); resolve({ code, reason: reason.toString() }); });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export const BOOT_16 = { chargePointVendor: 'Joule', chargePointModel: 'TestStation', chargePointSerialNumber: 'SN-1', firmwareVersion: '1.0.0' };

/** Connects and boots a 1.6 station; returns it Accepted. */
export async function bootedStation(url: string, id: string): Promise<RawStation> {
  const st = await RawStation.connect(url, id);
  const boot = await st.ok('BootNotification', BOOT_16);
  if (boot.status !== 'Accepted') throw new Error(`boot answered ${boot.status}`);
  return st;
}
