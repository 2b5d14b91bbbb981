import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ServerConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logging.ts';
import { startServer, type RunningServer, type StartOptions } from '../../../src/server.ts';

export const TEST_TOKEN = 'test-admin-token';

export interface TestServer extends RunningServer {
  wsUrl: string;
  dataDir: string;
  /** Calls the REST API with the admin token; returns status and parsed JSON body. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a real Joule (SQLite in a fresh temp dir) on a free port, in this process. Unsecured stations (profile 0)
 * are switched on, as most tests connect without a password; security tests pass `JOULE_ALLOW_UNSECURED: 'false'`.
 */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string, options: StartOptions = {}): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'joule-e2e-'));
  const config: ServerConfig = loadConfig({ JOULE_PORT: '0', JOULE_HOST: '127.0.0.1', JOULE_DATA_DIR: dir, JOULE_API_TOKEN: TEST_TOKEN, JOULE_ALLOW_UNSECURED: 'true', ...env });
  const server = await startServer(config, { logger: createLogger(process.env.JOULE_TEST_LOG_LEVEL ?? 'silent'), ...options });
  return {
    ...server,
    wsUrl: `ws://127.0.0.1:${server.port}/ocpp`,
    dataDir: dir,
    api: (method, path, body, token = TEST_TOKEN) => apiCall(server.url, method, path, body, token),
    async stop() {
      await server.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function apiCall(baseUrl: string, method: string, path: string, body?: unknown, token = TEST_TOKEN): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `probe` until it returns a truthy value or the time is up; a probe that throws is tried again. */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error instanceof Error ? `${error.name}: ${error.message}` : error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
