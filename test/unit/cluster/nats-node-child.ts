// A cluster node in its own process, for the crash test in nats-bus.test.ts: it connects, claims the stations it is
// given, prints READY and waits to be killed (SIGKILL: no close, no cleanup, as when a machine dies).
import { connectNatsBus } from '../../../src/cluster/nats/nats-bus.ts';

const config = JSON.parse(process.env.JOULE_TEST_NODE ?? '{}') as { url: string; nodeId: string; cluster: string; ttlMs: number; stations: string[] };
const bus = await connectNatsBus({ url: config.url, nodeId: config.nodeId, cluster: config.cluster, presenceTtlMs: config.ttlMs });
bus.serveStationCalls(async () => ({ status: 'completed', response: { from: config.nodeId } }));
for (const id of config.stations) bus.claimStation(id);
process.stdout.write('READY\n');
setInterval(() => {}, 60_000);
