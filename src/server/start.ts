import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  close(): Promise<void>;
}

/** Serves a Hono app (anything with `fetch`) on Node's HTTP server; resolves once it listens. */
export function listen(app: { fetch: (request: Request, ...rest: any[]) => Response | Promise<Response> }, { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Pollers and SSE clients keep connections open: end them, or close() would wait forever.
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}
