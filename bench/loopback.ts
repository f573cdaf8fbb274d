/** Every server of the benchmark listens on 127.0.0.1 only, on a free port. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening server: its base URL and how to close it (idempotent cleanup runs on close). */
export interface LoopbackServer {
  url: string;
  stop(): Promise<void>;
}

/** Listen on 127.0.0.1 (a free port); `cleanup` runs when the server is stopped. */
export async function listenOnLoopback(server: Server, cleanup: () => void = () => undefined): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        cleanup();
      }),
  };
}
