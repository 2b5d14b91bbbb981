import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SigningRequestDecision, SigningRequestRecord, Store } from '../../src/store/ports.ts';

function csr(overrides: Partial<SigningRequestRecord>): SigningRequestRecord {
  return {
    id: 'csr-1', stationId: 'CS-1', certificateType: 'ChargingStationCertificate', requestId: 7,
    csrPem: '-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n', subject: 'O=Joule, CN=CS-1',
    commonName: 'CS-1', organization: 'Joule', keyDescription: 'EC P-256', status: 'pending', receivedAt: '2026-01-01T00:00:00.000Z',
    decidedAt: null, decidedBy: null, reason: null, certificateFingerprint: null,
    ...overrides,
  };
}

const SIGNED: SigningRequestDecision = {
  status: 'signed', decidedAt: '2026-01-02T00:00:00.000Z', decidedBy: 'alice', reason: null, certificateFingerprint: 'ab'.repeat(32),
};
const REJECTED: SigningRequestDecision = {
  status: 'rejected', decidedAt: '2026-01-02T00:00:01.000Z', decidedBy: 'bob', reason: 'unknown station', certificateFingerprint: null,
};

/** The CSR queue of manual CA mode: called inside the repository contract with its store. */
export function signingRequestContract(store: () => Store): void {
  describe('signing requests', () => {
    it('addPending stores the record as given, get returns it, and an unknown id is undefined', async () => {
      const first = csr({});
      assert.deepEqual(await store().signingRequests.addPending(first), []);
      assert.deepEqual(await store().signingRequests.get('csr-1'), first);
      const bare = csr({ id: 'csr-2', stationId: 'CS-2', requestId: null, commonName: null, organization: null, keyDescription: 'RSA 2048' });
      await store().signingRequests.addPending(bare);
      assert.deepEqual(await store().signingRequests.get('csr-2'), bare);
      assert.equal(await store().signingRequests.get('csr-unknown'), undefined);
    });

    it('a new pending CSR supersedes the station\'s pending one of the same type and returns its id', async () => {
      const first = csr({});
      await store().signingRequests.addPending(first);
      const second = csr({ id: 'csr-2', requestId: 8, receivedAt: '2026-01-01T01:00:00.000Z' });
      assert.deepEqual(await store().signingRequests.addPending(second), ['csr-1']);
      assert.deepEqual(await store().signingRequests.get('csr-1'), {
        ...first, status: 'superseded', decidedAt: second.receivedAt, decidedBy: null, reason: 'csr-2',
      });
      assert.deepEqual(await store().signingRequests.get('csr-2'), second);
      const third = csr({ id: 'csr-3', receivedAt: '2026-01-01T02:00:00.000Z' });
      assert.deepEqual(await store().signingRequests.addPending(third), ['csr-2'], 'only the one still pending');
      assert.equal((await store().signingRequests.get('csr-1'))?.reason, 'csr-2', 'an already superseded one stays as it was');
    });

    it('a new pending CSR leaves pending ones of another type or another station, and decided ones, as they are', async () => {
      const otherType = csr({ id: 'csr-type', certificateType: 'V2GCertificate' });
      const otherStation = csr({ id: 'csr-station', stationId: 'CS-2' });
      await store().signingRequests.addPending(otherType);
      await store().signingRequests.addPending(otherStation);
      await store().signingRequests.addPending(csr({ id: 'csr-signed' }));
      const signed = await store().signingRequests.decide('csr-signed', SIGNED);
      assert.deepEqual(await store().signingRequests.addPending(csr({ id: 'csr-new', receivedAt: '2026-01-03T00:00:00.000Z' })), []);
      assert.deepEqual(await store().signingRequests.get('csr-type'), otherType);
      assert.deepEqual(await store().signingRequests.get('csr-station'), otherStation);
      assert.deepEqual(await store().signingRequests.get('csr-signed'), signed);
    });

    it('list returns newest receivedAt first (equal times by id), filtered by station, stations and status, up to the limit', async () => {
      const a = csr({ id: 'a', receivedAt: '2026-01-01T00:00:00.000Z' });
      const b = csr({ id: 'b', stationId: 'CS-2', receivedAt: '2026-01-02T00:00:00.000Z' });
      const c = csr({ id: 'c', stationId: 'CS-3', receivedAt: '2026-01-02T00:00:00.000Z' });
      const d = csr({ id: 'd', stationId: 'CS-2', certificateType: 'V2GCertificate', receivedAt: '2026-01-03T00:00:00.000Z' });
      for (const r of [c, a, d, b]) await store().signingRequests.addPending(r);
      const rejected = await store().signingRequests.decide('b', REJECTED);
      assert.ok(rejected !== undefined);
      const list = (filter: Parameters<Store['signingRequests']['list']>[0]) => store().signingRequests.list(filter);
      assert.deepEqual(await list({ limit: 10 }), [d, rejected, c, a]);
      assert.deepEqual(await list({ limit: 2 }), [d, rejected]);
      assert.deepEqual(await list({ stationId: 'CS-2', limit: 10 }), [d, rejected]);
      assert.deepEqual(await list({ stationIds: ['CS-1', 'CS-3'], limit: 10 }), [c, a]);
      assert.deepEqual(await list({ stationIds: ['CS-1', 'CS-3'], limit: 1 }), [c], 'the limit counts only these stations\'');
      assert.deepEqual(await list({ stationIds: [], limit: 10 }), [], 'no stations, no CSRs');
      assert.deepEqual(await list({ status: 'pending', limit: 10 }), [d, c, a]);
      assert.deepEqual(await list({ status: 'rejected', limit: 10 }), [rejected]);
      assert.deepEqual(await list({ stationId: 'CS-2', status: 'pending', limit: 10 }), [d]);
      assert.deepEqual(await list({ stationIds: ['CS-2'], status: 'signed', limit: 10 }), []);
      assert.deepEqual(await list({ stationId: 'CS-unknown', limit: 10 }), []);
    });

    it('decide on a pending CSR records the decision and returns the decided record', async () => {
      const pending = csr({});
      await store().signingRequests.addPending(pending);
      const signed = await store().signingRequests.decide('csr-1', SIGNED);
      assert.deepEqual(signed, {
        ...pending, status: 'signed', decidedAt: SIGNED.decidedAt, decidedBy: 'alice', reason: null, certificateFingerprint: SIGNED.certificateFingerprint,
      });
      assert.deepEqual(await store().signingRequests.get('csr-1'), signed);
      await store().signingRequests.addPending(csr({ id: 'csr-2', stationId: 'CS-2' }));
      assert.deepEqual(await store().signingRequests.decide('csr-2', REJECTED), {
        ...csr({ id: 'csr-2', stationId: 'CS-2' }), status: 'rejected', decidedAt: REJECTED.decidedAt, decidedBy: 'bob', reason: 'unknown station',
      });
    });

    it('decide on a CSR no longer pending (decided or superseded) or unknown returns undefined and changes nothing', async () => {
      await store().signingRequests.addPending(csr({}));
      const signed = await store().signingRequests.decide('csr-1', SIGNED);
      assert.equal(await store().signingRequests.decide('csr-1', REJECTED), undefined);
      assert.equal(await store().signingRequests.decide('csr-1', SIGNED), undefined);
      assert.deepEqual(await store().signingRequests.get('csr-1'), signed);

      await store().signingRequests.addPending(csr({ id: 'csr-2', receivedAt: '2026-01-02T00:00:00.000Z' }));
      await store().signingRequests.addPending(csr({ id: 'csr-3', receivedAt: '2026-01-03T00:00:00.000Z' }));
      const superseded = await store().signingRequests.get('csr-2');
      assert.equal(superseded?.status, 'superseded');
      assert.equal(await store().signingRequests.decide('csr-2', SIGNED), undefined);
      assert.deepEqual(await store().signingRequests.get('csr-2'), superseded);

      assert.equal(await store().signingRequests.decide('csr-unknown', SIGNED), undefined);
      assert.equal(await store().signingRequests.get('csr-unknown'), undefined);
    });

    it('of two concurrent decisions on one CSR exactly one applies, and the stored record is the winner\'s', async () => {
      await store().signingRequests.addPending(csr({}));
      const outcomes = await Promise.all([
        store().signingRequests.decide('csr-1', SIGNED),
        store().signingRequests.decide('csr-1', REJECTED),
      ]);
      const winners = outcomes.filter((outcome) => outcome !== undefined);
      assert.equal(winners.length, 1);
      assert.deepEqual(await store().signingRequests.get('csr-1'), winners[0]);
    });

    it('CSRs of one station and type queued at the same instant leave exactly one pending, the others superseded by it', async () => {
      const queued = Array.from({ length: 8 }, (_, i) => csr({ id: `csr-c${i}`, receivedAt: `2026-01-01T00:00:0${i}.000Z` }));
      const superseded = (await Promise.all(queued.map((r) => store().signingRequests.addPending(r)))).flat();
      const pending = await store().signingRequests.list({ stationId: 'CS-1', status: 'pending', limit: 10 });
      assert.equal(pending.length, 1, 'one pending CSR per station and type, even when they race');
      assert.equal(superseded.length, 7, 'each of the others was superseded exactly once');
      assert.equal(new Set(superseded).size, 7);
      assert.ok(!superseded.includes(pending[0]!.id));
    });
  });
}
