import WebSocket from 'ws';

/** What `process.memoryUsage()` reports inside the server, after a full garbage collection. */
export interface HeapSample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * The DevTools endpoint Node prints when started with `--inspect=127.0.0.1:0`: the last one, because a Joule process
 * that restarts itself with another V8 option (garbage-collector.ts) prints one per start, and only the last lives.
 */
export function inspectorUrl(output: string): string | undefined {
  return [...output.matchAll(/Debugger listening on (ws:\/\/\S+)/g)].at(-1)?.[1];
}

/**
 * Asks a Node process (started with --inspect) for a full GC and then its `process.memoryUsage()`, over the
 * inspector protocol. Lets the idle scenario count the heap a connection really holds, which VmRSS growth alone can
 * understate when the server's heap already had room (e.g. Joule's, after compiling its schemas).
 */
export async function heapAfterGc(url: string): Promise<HeapSample> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const result = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(result.result.value) as HeapSample;
  } finally {
    ws.close();
  }
}
