import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { StoreClosedError, WriteQueue, type CommitInfo } from '../../../src/store/sqlite/write-queue.ts';

function setup(maxBatchOps = 100) {
  const db = new DatabaseSync(':memory:');
  db.exec(`
    CREATE TABLE parents (id INTEGER PRIMARY KEY);
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
      parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
  `);
  const commits: CommitInfo[] = [];
  const queue = new WriteQueue(db, { maxBatchOps, onCommit: (info) => commits.push(info) });
  const insert = db.prepare('INSERT INTO items (name, parent_id) VALUES (?, ?)');
  const names = (): unknown[] => db.prepare('SELECT name FROM items ORDER BY id').all().map((row) => row.name);
  return { db, queue, commits, insert, names };
}

describe('WriteQueue', () => {
  it('runs the writes of one turn in one transaction and resolves them with their results', async () => {
    const { queue, commits, insert, names } = setup();
    const results = await Promise.all(['a', 'b', 'c'].map((name) => queue.enqueue(() => Number(insert.run(name, null).lastInsertRowid))));
    assert.deepEqual(results, [1, 2, 3]);
    assert.deepEqual(names(), ['a', 'b', 'c']);
    assert.equal(commits.length, 1);
    assert.deepEqual({ writes: commits[0]?.writes, ops: commits[0]?.ops }, { writes: 3, ops: 3 });
  });

  it('undoes every change of a failing write, and only of that write', async () => {
    const { queue, commits, insert, names } = setup();
    const results = await Promise.allSettled([
      queue.enqueue(() => insert.run('a', null)),
      queue.enqueue(() => {
        insert.run('half-done', null);
        throw new Error('boom');
      }),
      queue.enqueue(() => insert.run('a', null)),
      queue.enqueue(() => insert.run('b', null)),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /boom/);
    assert.match(String((results[2] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(names(), ['a', 'b']);
    assert.equal(commits.length, 1);
  });

  it('a failing single-statement write, run without a savepoint, is undone by SQLite alone and only it', async () => {
    const { db, queue, commits, insert, names } = setup();
    const insertTwo = db.prepare('INSERT INTO items (name, parent_id) VALUES (?, NULL), (?, NULL)');
    const results = await Promise.allSettled([
      queue.enqueue(() => insert.run('a', null).changes, 1, true),
      // Its first row goes in before its second breaks the unique name: SQLite backs out the whole statement.
      queue.enqueue(() => insertTwo.run('half-done', 'a').changes, 2, true),
      queue.enqueue(() => insert.run('b', null).changes, 1, true),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(names(), ['a', 'b']);
    assert.equal(commits.length, 1);
  });

  it('a single-statement write whose failure rolled back the whole transaction fails its batch, and nothing of it is stored', async () => {
    const { db, queue, insert, names } = setup();
    await queue.enqueue(() => insert.run('a', null));
    // ON CONFLICT ROLLBACK ends the transaction, as a full disk or an I/O error may: the writes after it must not run
    // outside the batch's transaction (each would be committed alone, while the batch reports failure).
    const rollingBack = db.prepare('INSERT OR ROLLBACK INTO items (name, parent_id) VALUES (?, NULL)');
    const results = await Promise.allSettled([
      queue.enqueue(() => insert.run('before', null), 1, true),
      queue.enqueue(() => rollingBack.run('a'), 1, true),
      queue.enqueue(() => insert.run('after', null), 1, true),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected', 'rejected']);
    assert.deepEqual(names(), ['a']);
    assert.equal(db.isTransaction, false);
    assert.equal(await queue.enqueue(() => insert.run('later', null).changes, 1, true), 1, 'the queue keeps working');
  });

  it('rejects every write of the batch when COMMIT fails, and stores none of them', async () => {
    const { db, queue, commits, insert, names } = setup();
    const results = await Promise.allSettled([
      queue.enqueue(() => insert.run('fine', null)),
      queue.enqueue(() => insert.run('orphan', 42)),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
    assert.deepEqual(names(), []);
    assert.equal(db.isTransaction, false);
    assert.equal(commits.length, 0);
    assert.equal(await queue.enqueue(() => insert.run('after', null).changes), 1, 'the queue keeps working');
  });

  it('commits as soon as the queued ops reach maxBatchOps', () => {
    const { queue, commits, insert } = setup(10);
    void queue.enqueue(() => insert.run('a', null), 6);
    assert.equal(commits.length, 0);
    void queue.enqueue(() => insert.run('b', null), 4);
    assert.equal(commits.length, 1);
    assert.equal(commits[0]?.ops, 10);
  });

  it('defers a write queued from inside a batch to the next batch', async () => {
    const { queue, commits, insert, names } = setup(1);
    let inner: Promise<unknown> | undefined;
    await queue.enqueue(() => {
      insert.run('outer', null);
      inner = queue.enqueue(() => insert.run('inner', null));
    });
    await inner;
    assert.deepEqual(names(), ['outer', 'inner']);
    assert.equal(commits.length, 2);
  });

  it('flushes on close and refuses writes afterwards', async () => {
    const { queue, insert, names } = setup();
    const pending = queue.enqueue(() => insert.run('last', null));
    queue.close();
    await pending;
    assert.deepEqual(names(), ['last']);
    await assert.rejects(queue.enqueue(() => insert.run('late', null)), StoreClosedError);
  });

  it('resolves writes only after the durable sync returns, and gathers the writes that arrive meanwhile into one commit', async () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const commits: CommitInfo[] = [];
    const syncs: ((error: Error | null) => void)[] = [];
    const queue = new WriteQueue(db, { maxBatchOps: 100, onCommit: (info) => commits.push(info), durable: (done) => syncs.push(done) });
    let firstDone = false;
    const first = queue.enqueue(() => insert.run('first')).then(() => { firstDone = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(commits.length, 1, 'the first write is committed at once');
    assert.equal(firstDone, false, 'but not acknowledged before its sync returns');
    const later = ['a', 'b', 'c'].map((name) => queue.enqueue(() => insert.run(name)));
    await new Promise((r) => setImmediate(r));
    assert.equal(commits.length, 1, 'writes arriving while the sync runs wait for it');
    syncs.shift()!(null);
    await first;
    assert.equal(commits.length, 2);
    assert.equal(commits[1]?.writes, 3, 'and are committed together');
    syncs.shift()!(null);
    await Promise.all(later);
    queue.close();
  });

  it('rejects the writes of a commit whose sync fails', async () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const queue = new WriteQueue(db, { maxBatchOps: 100, durable: (done) => setImmediate(() => done(new Error('EIO'))) });
    await assert.rejects(queue.enqueue(() => insert.run('x')), /EIO/);
    queue.close();
  });
});
