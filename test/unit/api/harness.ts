import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApi, type ApiOptions } from '../../../src/api/api-server.ts';
import { StaticTokenAuth } from '../../../src/api/auth.ts';
import { LocalBus } from '../../../src/cluster/local-bus.ts';
import { defaultDomainConfig } from '../../../src/domain/config.ts';
import { createDomain, type Domain } from '../../../src/domain/domain.ts';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

/** Bearer tokens of the test principals. */
export const TOKENS = { admin: 'admin-token', operator: 'operator-token', viewer: 'viewer-token' } as const;

export interface Harness {
  app: FastifyInstance;
  domain: Domain;
  /** The store under the domain, for seeding what only a station can report (e.g. its device model). */
  store: Store;
  bus: LocalBus;
  /** Calls the API as `as` (default admin; `null`: no Authorization header). */
  call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, options?: { as?: keyof typeof TOKENS | null; body?: unknown }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** An API over a real domain, the SQLite store in memory and the in-process bus. */
export async function harness(options: Partial<ApiOptions> = {}): Promise<Harness> {
  const store = await openSqliteStore({ file: ':memory:' });
  const bus = new LocalBus('test');
  const domain = createDomain(store, bus, { ...defaultDomainConfig, commandTimeoutMs: 1000 });
  const auth = new StaticTokenAuth([
    { token: TOKENS.admin, name: 'alice', role: 'admin' },
    { token: TOKENS.operator, name: 'oscar', role: 'operator' },
    { token: TOKENS.viewer, name: 'victor', role: 'viewer' },
  ]);
  const app = await buildApi({ domain, auth, ...options });
  return {
    app,
    domain,
    store,
    bus,
    call(method, url, { as = 'admin', body } = {}) {
      const headers: Record<string, string> = as === null ? {} : { authorization: `Bearer ${TOKENS[as]}` };
      return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    },
    async close() {
      await app.close();
      await bus.close();
      await store.close();
    },
  };
}

/** A station that has booted, as the gateway would record it (not connected now: see `bus.claimStation`). */
export async function bootedStation(h: Harness, id: string, protocol = 'ocpp1.6'): Promise<void> {
  h.domain.stations.seen(id);
  await h.domain.stations.boot(id, { protocol, vendor: 'Acme', model: 'Volt 22', serialNumber: `SN-${id}`, firmwareVersion: '1.2.3' });
}
