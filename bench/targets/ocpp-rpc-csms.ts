/**
 * Target (b), the peer: a minimal CSMS on `ocpp-rpc` (what a user would otherwise pick), with `strictMode: true`
 * (every incoming CALL and every outgoing CALLRESULT checked against the OCA 1.6 schemas) and protocols
 * ['ocpp1.6']. It answers the same actions as the other targets and persists nothing.
 *
 * With a database path it is target (b′), the same peer made durable in the plainest careful way
 * (durable-meter-values.ts): each CALLRESULT to a MeterValues is sent only once the COMMIT holding its row returned.
 * Nothing else is stored; the other actions are answered as in (b).
 *
 *   node bench/targets/ocpp-rpc-csms.ts [port] [host] [database]     prints {"listening":port} once ready
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DurableMeterValues } from './durable-meter-values.ts';

interface RpcCall {
  params: Record<string, unknown>;
}
interface RpcServerClient {
  identity: string;
  handle(method: string, handler: (call: RpcCall) => unknown): void;
}
interface RpcServer {
  on(event: 'client', listener: (client: RpcServerClient) => void): void;
  handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

const require = createRequire(import.meta.url);
const { RPCServer } = require('ocpp-rpc') as { RPCServer: new (options: Record<string, unknown>) => RpcServer };

const port = Number(process.argv[2] ?? 0);
const host = process.argv[3] ?? '127.0.0.1';
const databasePath = process.argv[4];
let transactionIds = 0;

const store = databasePath ? new DurableMeterValues(databasePath) : undefined;

const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
server.on('client', (client) => {
  client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 }));
  client.handle('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
  client.handle('StatusNotification', () => ({}));
  client.handle('StartTransaction', () => ({ transactionId: ++transactionIds, idTagInfo: { status: 'Accepted' } }));
  client.handle('StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
  if (store) client.handle('MeterValues', ({ params }) => store.append(client.identity, params).then(() => ({})));
  else client.handle('MeterValues', () => ({}));
});
// What `server.listen` does, with the same accept queue as Joule's default (JOULE_LISTEN_BACKLOG), so that no target
// loses storm handshakes to it.
const httpServer = createServer({ noDelay: true }, (_request, response) => {
  response.statusCode = 404;
  response.end();
});
httpServer.on('upgrade', server.handleUpgrade);
await new Promise<void>((resolve) => httpServer.listen({ port, host, backlog: 4096 }, resolve));
const address = httpServer.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ listening: address.port })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
