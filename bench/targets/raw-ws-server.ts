/**
 * Target (a), the ceiling: a plain `ws` server that answers the benchmark's OCPP 1.6 CALLs with a canned valid
 * CALLRESULT per action. It parses each frame (JSON.parse) and does nothing else: no validation, no state, no storage.
 *
 * With a database path it is target (a′), the durable ceiling: the same server storing each MeterValues as the
 * durable peer (b′) does (durable-meter-values.ts), answering it only once the COMMIT holding its row returned. It is
 * the most a server can answer of durable MeterValues/s on this core with one SQLite row per MeterValues, whatever
 * else it does.
 *
 *   node bench/targets/raw-ws-server.ts [port] [host] [database]     prints {"listening":port} once ready
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DurableMeterValues } from './durable-meter-values.ts';

const port = Number(process.argv[2] ?? 0);
const host = process.argv[3] ?? '127.0.0.1';
const databasePath = process.argv[4];
const store = databasePath ? new DurableMeterValues(databasePath) : undefined;

const EMPTY = '{}';
let transactionIds = 0;

function answer(action: unknown): string {
  switch (action) {
    case 'Heartbeat':
      return `{"currentTime":"${new Date().toISOString()}"}`;
    case 'MeterValues':
    case 'StatusNotification':
      return EMPTY;
    case 'BootNotification':
      return `{"status":"Accepted","currentTime":"${new Date().toISOString()}","interval":300}`;
    case 'StartTransaction':
      return `{"transactionId":${++transactionIds},"idTagInfo":{"status":"Accepted"}}`;
    case 'StopTransaction':
      return '{"idTagInfo":{"status":"Accepted"}}';
    case 'Authorize':
      return '{"idTagInfo":{"status":"Accepted"}}';
    default:
      return EMPTY;
  }
}

const server = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  clientTracking: false,
  handleProtocols: (protocols) => (protocols.has('ocpp1.6') ? 'ocpp1.6' : false),
});
wss.on('connection', (ws, request) => {
  const stationId = decodeURIComponent(request.url?.split('/').pop() ?? '');
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (!Array.isArray(frame) || frame[0] !== 2 || typeof frame[1] !== 'string') return;
    const reply = `[3,${JSON.stringify(frame[1])},${answer(frame[2])}]`;
    if (store && frame[2] === 'MeterValues') {
      store.append(stationId, frame[3] as Record<string, unknown>).then(() => ws.send(reply), () => ws.terminate());
    } else {
      ws.send(reply);
    }
  });
});
// The same accept queue as Joule's default (JOULE_LISTEN_BACKLOG), so that no target loses storm handshakes to it.
server.listen({ port, host, backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
