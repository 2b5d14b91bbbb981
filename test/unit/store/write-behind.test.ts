import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WRITE_BEHIND_SLICE_ROWS, WriteBehind } from '../../../src/store/sqlite/write-behind.ts';

/** Rows waiting in memory (a Set keeps the longest-waiting first), and a write whose commits the test settles. */
function harness() {
  const waiting = new Set<number>();
  const writes: { rows: number[]; settle: (error?: Error) => void }[] = [];
  const writeBehind = new WriteBehind<number>({
    take: (limit) => {
      const rows = [...waiting].slice(0, limit);
      for (const row of rows) waiting.delete(row);
      return rows;
    },
    write: (rows) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ rows, settle: (error) => (error ? reject(error) : resolve()) });
      }),
    putBack: (rows) => {
      for (const row of rows) waiting.add(row);
    },
    pending: () => waiting.size,
  });
  return { waiting, writes, writeBehind };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('write-behind of in-memory rows (last-seen times, meter registers) in slices', () => {
  it('writes what waits in slices of at most WRITE_BEHIND_SLICE_ROWS, each taken only after the one before committed', async () => {
    const { waiting, writes, writeBehind } = harness();
    for (let row = 0; row < 2.5 * WRITE_BEHIND_SLICE_ROWS; row += 1) waiting.add(row);
    const flushed = writeBehind.flush();
    await turn();
    assert.equal(writes.length, 1, 'one slice at a time');
    assert.equal(writes[0]?.rows.length, WRITE_BEHIND_SLICE_ROWS);
    writes[0]?.settle();
    await turn();
    assert.equal(writes.length, 2);
    writes[1]?.settle();
    await turn();
    assert.equal(writes[2]?.rows.length, WRITE_BEHIND_SLICE_ROWS / 2);
    writes[2]?.settle();
    await flushed;
    assert.equal(waiting.size, 0);
  });

  it('a flush asked for while one runs is the running one; rows that wait again meanwhile are left for the next flush', async () => {
    const { waiting, writes, writeBehind } = harness();
    for (let row = 0; row < WRITE_BEHIND_SLICE_ROWS + 1; row += 1) waiting.add(row);
    const first = writeBehind.flush();
    assert.equal(writeBehind.flush(), first);
    await turn();
    waiting.add(0); // changed again after it was taken
    writes[0]?.settle();
    await turn();
    assert.deepEqual(writes[1]?.rows, [WRITE_BEHIND_SLICE_ROWS], 'the rest of what waited when the flush began');
    writes[1]?.settle();
    await first;
    assert.deepEqual([...waiting], [0], 'written once per flush: the next one takes it');
  });

  it('puts the rows of a failed write back and stops; the next flush writes them', async () => {
    const { waiting, writes, writeBehind } = harness();
    for (let row = 0; row < 2 * WRITE_BEHIND_SLICE_ROWS; row += 1) waiting.add(row);
    const failing = writeBehind.flush();
    await turn();
    writes[0]?.settle(new Error('disk full'));
    await failing;
    assert.equal(writes.length, 1, 'no further slice after a failure');
    assert.equal(waiting.size, 2 * WRITE_BEHIND_SLICE_ROWS, 'nothing lost');
    const retry = writeBehind.flush();
    await turn();
    writes[1]?.settle();
    await turn();
    writes[2]?.settle();
    await retry;
    assert.equal(waiting.size, 0);
  });

  it('flushAll writes everything waiting in one write (on close)', async () => {
    const { waiting, writes, writeBehind } = harness();
    for (let row = 0; row < 3 * WRITE_BEHIND_SLICE_ROWS; row += 1) waiting.add(row);
    const all = writeBehind.flushAll();
    assert.equal(writes.length, 1);
    assert.equal(writes[0]?.rows.length, 3 * WRITE_BEHIND_SLICE_ROWS);
    writes[0]?.settle();
    await all;
  });
});
