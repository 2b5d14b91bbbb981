import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** A WebSocket upgrade request with exactly the given headers (for header quirks a WebSocket client will not send). */
export function rawUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; protocol: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
    });
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, protocol: res.headers['sec-websocket-protocol'] as string | undefined });
    });
    req.once('response', (res) => resolve({ status: res.statusCode ?? 0, protocol: undefined }));
    req.once('error', reject);
    req.end();
  });
}
