import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultSseLimits, formatSseEvent, SseStream, type SseSink } from '../../../src/api/sse-stream.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { harness, TOKENS, type Harness } from './harness.ts';

/** Reads an SSE response until `done(text so far)` holds, or fails after a second. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, done: (text: string) => boolean): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 1000;
  while (!done(text)) {
    const remaining = deadline - Date.now();
    assert.ok(remaining > 0, `timed out; received so far: ${JSON.stringify(text)}`);
    let timer: NodeJS.Timeout | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out; received: ${JSON.stringify(text)}`)), remaining); }),
    ]).finally(() => clearTimeout(timer));
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

/** The SSE messages (not comments) in a text. */
function messages(text: string): { id: string; event: string; data: DomainEvent }[] {
  return text.split('\n\n').filter((block) => block.startsWith('id: ')).map((block) => {
    const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]));
    return { id: fields.id!, event: fields.event!, data: JSON.parse(fields.data!) as DomainEvent };
  });
}

const listenerCount = (h: Harness) => h.bus['listeners'].size;

describe('GET /api/v1/events (Server-Sent Events)', () => {
  let h: Harness;
  let base: string;

  before(async () => {
    h = await harness({ sse: { heartbeatMs: 50 } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  after(() => h.close());

  const connect = (query = '', signal?: AbortSignal) =>
    fetch(`${base}/api/v1/events${query}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` }, ...(signal ? { signal } : {}) });

  it('streams matching domain events with SSE headers, and unsubscribes when the client leaves', async () => {
    const listenersBefore = listenerCount(h);
    const abort = new AbortController();
    const res = await connect('?types=connector.status,transaction.started&stationId=CP1', abort.signal);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const reader = res.body!.getReader();
    await readUntil(reader, (text) => text.includes(': connected to node test\n\n'));
    assert.equal(listenerCount(h), listenersBefore + 1);

    h.bus.publish({ type: 'station.booted', stationId: 'CP1', data: { status: 'Accepted' } });
    h.bus.publish({ type: 'connector.status', stationId: 'CP2', data: { status: 'Charging' } });
    h.bus.publish({ type: 'connector.status', stationId: 'CP1', data: { status: 'Faulted' } });
    h.bus.publish({ type: 'transaction.started', stationId: 'CP1', data: { transactionId: '7' } });
    const text = await readUntil(reader, (t) => messages(t).length >= 2);
    const received = messages(text);
    assert.deepEqual(received.map((m) => [m.event, m.data.stationId, m.data.data]), [
      ['connector.status', 'CP1', { status: 'Faulted' }],
      ['transaction.started', 'CP1', { transactionId: '7' }],
    ]);
    for (const message of received) {
      assert.equal(message.id, message.data.id);
      assert.equal(message.event, message.data.type);
      assert.equal(typeof message.data.at, 'string');
    }

    abort.abort();
    const deadline = Date.now() + 1000;
    while (listenerCount(h) !== listenersBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(listenerCount(h), listenersBefore, 'the subscription ended with the client');
  });

  it('sends every event without filters, and heartbeats', async () => {
    const abort = new AbortController();
    const reader = (await connect('', abort.signal)).body!.getReader();
    await readUntil(reader, (text) => text.includes(': connected'));
    h.bus.publish({ type: 'idtoken.updated', data: { idToken: 'T', status: 'Blocked' } });
    const text = await readUntil(reader, (t) => messages(t).length === 1 && t.includes(': ping\n\n'));
    assert.equal(messages(text)[0]?.event, 'idtoken.updated');
    abort.abort();
  });

  it('needs a token like every /api/v1 route', async () => {
    const res = await fetch(`${base}/api/v1/events`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
  });

  it('does not subscribe for a client that left while it was being authenticated', async () => {
    let admit!: () => void;
    const gate = new Promise<void>((resolve) => { admit = resolve; });
    const slow = await harness({ auth: { verify: async () => { await gate; return { name: 'slow', role: 'viewer' }; } } });
    // Domain services subscribe too (e.g. the validation policy): count only what the stream would add.
    const listenersBefore = listenerCount(slow);
    await slow.app.listen({ port: 0, host: '127.0.0.1' });
    const socketClosed = new Promise<void>((resolve) => slow.app.server.once('connection', (socket) => socket.once('close', resolve)));
    const abort = new AbortController();
    const pending = fetch(`http://127.0.0.1:${(slow.app.server.address() as AddressInfo).port}/api/v1/events`, { signal: abort.signal, headers: { authorization: 'Bearer any' } });
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await assert.rejects(pending);
    await socketClosed;
    admit();
    await new Promise((r) => setTimeout(r, 20));
    try {
      assert.equal(listenerCount(slow), listenersBefore);
    } finally {
      await slow.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const own = await harness();
    await own.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${(own.app.server.address() as AddressInfo).port}/api/v1/events`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    const reader = res.body!.getReader();
    await readUntil(reader, (text) => text.includes(': connected'));
    await own.close();
    assert.equal((await reader.read()).done, true);
  });
});

describe('SseStream', () => {
  const event: DomainEvent = { id: 'n-1', type: 'connector.status', stationId: 'CP1', at: '2026-01-01T00:00:00.000Z', data: { status: 'Available' } };

  /** A sink that never drains, like a client that stopped reading. */
  function stuckSink(): Omit<SseSink, 'writableLength'> & { writableLength: number; chunks: string[]; destroyed: boolean; ended: boolean } {
    return {
      chunks: [],
      destroyed: false,
      ended: false,
      writableLength: 0,
      write(chunk: string) {
        this.chunks.push(chunk);
        this.writableLength += Buffer.byteLength(chunk);
        return this.writableLength < 16 * 1024;
      },
      end() { this.ended = true; },
      destroy() { this.destroyed = true; },
    };
  }

  it('formats an event as one SSE message', () => {
    assert.equal(formatSseEvent(event), `id: n-1\nevent: connector.status\ndata: ${JSON.stringify(event)}\n\n`);
  });

  it('drops a client whose backlog exceeds the cap, and writes nothing more', () => {
    const sink = stuckSink();
    const stream = new SseStream(sink, { ...defaultSseLimits, maxBufferedBytes: 64 * 1024 });
    const big = { ...event, data: { blob: 'x'.repeat(1000) } };
    for (let i = 0; i < 200; i++) stream.send(big);
    assert.equal(sink.destroyed, true);
    assert.equal(stream.isOpen, false);
    assert.ok(sink.writableLength > 64 * 1024 && sink.writableLength < 64 * 1024 + 2000, 'stopped right after the cap');
    const written = sink.chunks.length;
    stream.send(event);
    assert.equal(sink.chunks.length, written);
  });

  it('keeps a client that is merely behind (write false, backlog under the cap)', () => {
    const sink = stuckSink();
    const stream = new SseStream(sink, defaultSseLimits);
    for (let i = 0; i < 100; i++) stream.send(event);
    assert.equal(sink.destroyed, false);
    assert.equal(stream.isOpen, true);
    stream.end();
    assert.equal(sink.ended, true);
  });
});
