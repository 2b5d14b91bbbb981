import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface UpgradeAnswer {
  /** 101 when upgraded (the socket is then closed at once), else the refusal's status. */
  status: number;
  headers: IncomingHttpHeaders;
  /** The subprotocol the server chose, when upgraded. */
  protocol: string | undefined;
  /** The body of a refusal ('' when upgraded). */
  body: string;
}

/**
 * A WebSocket upgrade request over `ws://` or `wss://` with exactly the given headers besides the handshake's own
 * (for what a WebSocket client will not send: header quirks, credentials that must be refused), and TLS options
 * (trusted CA, client certificate and key, versions, suites) for `wss://`.
 */
export function upgradeRequest(url: string, options: { headers?: Record<string, string>; tls?: Record<string, unknown> } = {}): Promise<UpgradeAnswer> {
  const secure = url.startsWith('wss:');
  const target = url.replace(/^ws/, 'http');
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(target, {
      ...(options.tls ?? {}),
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...(options.headers ?? {}),
      },
    });
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, protocol: res.headers['sec-websocket-protocol'] as string | undefined, body: '' });
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, protocol: undefined, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** A WebSocket upgrade request with exactly the given headers: its status and chosen subprotocol. */
export async function rawUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; protocol: string | undefined }> {
  const { status, protocol } = await upgradeRequest(url, { headers });
  return { status, protocol };
}
