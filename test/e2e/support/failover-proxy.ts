import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer for tests: each new connection goes to the first backend port that accepts it, so when a
 * node dies its stations' reconnects land on the next one, as behind a real load balancer.
 */
export class FailoverProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly backends: () => number[];
  port = 0;

  constructor(backends: () => number[]) {
    this.backends = backends;
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  private accept(client: Socket, attempt = 0): void {
    const ports = this.backends();
    const port = ports[attempt];
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    upstream.once('connect', () => {
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    upstream.once('error', () => this.accept(client, attempt + 1));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
