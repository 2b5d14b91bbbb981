import { connect } from 'nats';
import pg from 'pg';

/** Drops a test's PostgreSQL schema. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes a test cluster's JetStream key-value buckets (streams named KV_<cluster>_...). */
export async function deleteNatsBuckets(url: string, cluster: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(`KV_${cluster}_`)) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
}
