import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { BinaryArray } from '../../../src/store/postgres/binary-array.ts';

/**
 * The binary array encoder against the real decoder: PostgreSQL's own `array_recv` on the local server
 * (`JOULE_TEST_DATABASE_URL`, else the local default), as the meter-reading INSERT sends it.
 */
const url = process.env.JOULE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('BinaryArray (PostgreSQL binary array format)', () => {
  const client = new Client({ connectionString: url });
  before(() => client.connect());
  after(() => client.end());

  const roundTrip = async (array: BinaryArray, type: string): Promise<unknown> => {
    const result = await client.query(`SELECT $1::${type}[] AS a, cardinality($1::${type}[]) AS n`, [array.toBuffer()]);
    assert.equal(Number(result.rows[0].n), array.length);
    return result.rows[0].a;
  };

  it('carries text exactly, with the characters an array literal would have to escape', async () => {
    const elements = ['plain', '', 'quote " and backslash \\', '{braces}, commas', 'NULL', ' spaced ', 'ünïcödé ⚡ 充电', '[["1.5","Energy"]]'];
    const array = new BinaryArray('text');
    for (const element of elements) array.text(element);
    assert.deepEqual(await roundTrip(array, 'text'), elements);
  });

  it('carries NULL elements among others', async () => {
    const array = new BinaryArray('text');
    array.text('a');
    array.text(null);
    array.text('c');
    assert.deepEqual(await roundTrip(array, 'text'), ['a', null, 'c']);
  });

  it('carries 32-bit and 64-bit integers, negative and at the limits', async () => {
    const int4 = new BinaryArray('int4');
    for (const value of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]) int4.integer(value);
    assert.deepEqual(await roundTrip(int4, 'int4'), [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const int8 = new BinaryArray('int8');
    for (const value of [0, -5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) int8.integer(value);
    int8.integer(null);
    // node-postgres returns int8 as text, exactly.
    assert.deepEqual(await roundTrip(int8, 'int8'), ['0', '-5', String(Number.MAX_SAFE_INTEGER), String(Number.MIN_SAFE_INTEGER), null]);
  });

  it('an empty array is the zero-dimensional empty array', async () => {
    assert.deepEqual(await roundTrip(new BinaryArray('text'), 'text'), []);
    assert.deepEqual(await roundTrip(new BinaryArray('int8'), 'int8'), []);
  });

  it('columns of equal length unnest into rows, as the meter-reading INSERT reads them', async () => {
    const ids = new BinaryArray('int8');
    const names = new BinaryArray('text');
    for (let index = 0; index < 1000; index += 1) {
      ids.integer(index);
      names.text(`station-${index}-"${'x'.repeat(index % 7)}"`);
    }
    const result = await client.query('SELECT count(*) AS n, sum(id) AS total, max(name) AS last FROM unnest($1::int8[], $2::text[]) AS t(id, name)', [
      ids.toBuffer(),
      names.toBuffer(),
    ]);
    assert.equal(Number(result.rows[0].n), 1000);
    assert.equal(Number(result.rows[0].total), (999 * 1000) / 2);
    assert.equal(result.rows[0].last, 'station-999-"xxxxx"');
  });

  it('refuses what its element type cannot hold, before anything is sent', () => {
    const int4 = new BinaryArray('int4');
    assert.throws(() => int4.integer(2 ** 31), RangeError);
    assert.throws(() => int4.integer(1.5), RangeError);
    const int8 = new BinaryArray('int8');
    assert.throws(() => int8.integer(2 ** 53), RangeError);
    assert.throws(() => int8.integer(Number.NaN), RangeError);
    assert.throws(() => int8.text('x'), TypeError);
    assert.throws(() => new BinaryArray('text').integer(1), TypeError);
    assert.equal(int4.length + int8.length, 0);
  });

  it('a NUL character in text is refused by the server, as in any text it receives', async () => {
    const array = new BinaryArray('text');
    array.text('a\u0000b');
    await assert.rejects(() => client.query('SELECT $1::text[] AS a', [array.toBuffer()]), /invalid byte sequence|0x00/);
  });
});
