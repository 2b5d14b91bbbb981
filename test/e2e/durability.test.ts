import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawStation, BOOT_16 } from './support/raw-station.ts';
import { freePort, ServerProcess } from './support/server-process.ts';

describe('durability: acknowledged transaction data survives the server being killed', () => {
  it('kill -9 of all processes (2 workers on one SQLite file) under load, restart: every acknowledged start, meter value and stop is there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-kill-'));
    const server = new ServerProcess(await freePort(), dataDir);
    try {
      await server.start({}, ['--workers', '2']);
      await server.api('PUT', '/api/v1/id-tokens/KILL-TAG', { status: 'Accepted', allowConcurrentTx: true });
      const stations = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const st = await RawStation.connect(server.wsUrl, `CP-KILL-${i}`);
        await st.ok('BootNotification', BOOT_16);
        return st;
      }));
      const acked = { starts: new Map<string, number>(), meterValues: new Map<number, number>(), stops: new Set<number>() };
      const t0 = Date.parse('2026-11-21T12:00:00Z');
      let stopLoad = false;
      // Each station: start a transaction, stream meter values (one at a time, as a station does), stop it, repeat.
      const load = stations.map(async (st, i) => {
        for (let round = 0; !stopLoad; round++) {
          let start;
          try {
            start = await st.ok('StartTransaction', { connectorId: 1, idTag: 'KILL-TAG', meterStart: 0, timestamp: new Date(t0 + round * 60_000 + i).toISOString() });
          } catch {
            return;
          }
          acked.starts.set(`CP-KILL-${i}`, (acked.starts.get(`CP-KILL-${i}`) ?? 0) + 1);
          for (let k = 0; k < 20 && !stopLoad; k++) {
            try {
              await st.ok('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: new Date(t0 + round * 60_000 + k * 1000).toISOString(), sampledValue: [{ value: String(k * 10) }, { value: '7000', measurand: 'Power.Active.Import', unit: 'W' }] }] });
            } catch {
              return;
            }
            acked.meterValues.set(start.transactionId, (acked.meterValues.get(start.transactionId) ?? 0) + 2);
          }
          try {
            await st.ok('StopTransaction', { transactionId: start.transactionId, meterStop: 500, timestamp: new Date(t0 + round * 60_000 + 59_000).toISOString() });
          } catch {
            return;
          }
          acked.stops.add(start.transactionId);
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      await server.kill();
      stopLoad = true;
      await Promise.allSettled(load);
      const ackedMeterValues = [...acked.meterValues.values()].reduce((a, b) => a + b, 0);
      assert.ok(ackedMeterValues > 100, `the load ran before the kill (${ackedMeterValues} meter values acknowledged)`);

      await server.start({}, ['--workers', '2']);
      const { body: txs } = await server.api('GET', '/api/v1/transactions?limit=1000');
      for (const [stationId, count] of acked.starts) {
        assert.ok(txs.filter((t: any) => t.stationId === stationId).length >= count, `${stationId}: ${count} acknowledged starts kept`);
      }
      for (const [txId, count] of acked.meterValues) {
        const { body: mv } = await server.api('GET', `/api/v1/transactions/${txId}/meter-values`);
        assert.ok(mv.length >= count, `transaction ${txId}: ${count} acknowledged meter values, ${mv.length} stored`);
      }
      for (const txId of acked.stops) {
        const { body: tx } = await server.api('GET', `/api/v1/transactions/${txId}`);
        assert.ok(tx.stoppedAt, `transaction ${txId} was acknowledged stopped`);
      }
      await Promise.all(stations.map((s) => s.close()));
    } finally {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
