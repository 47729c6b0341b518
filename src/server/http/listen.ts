import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';

/** What one connection may cost the server. Slow or greedy clients are cut off; everyone else is served. */
export interface ConnectionLimits {
  /** The whole request — headers and body — must arrive within this (a slow body no longer holds a socket). @default 30000 */
  requestTimeoutMs: number;
  /** The headers must arrive within this (slowloris). @default 10000 */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @default 5000 */
  keepAliveTimeoutMs: number;
  /** Request line and headers together. @default 16384 */
  maxHeaderBytes: number;
  /** Open connections in all; more are refused at once rather than starving the process of file descriptors. @default 10000 */
  maxConnections: number;
  /** Open connections per client address (0: no cap — behind a reverse proxy every client shares its address). @default 256 */
  maxConnectionsPerIp: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16_384,
  maxConnections: 10_000,
  maxConnectionsPerIp: 256,
};

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  /** Stops at once: every connection is cut. */
  close(): Promise<void>;
  /** Stops accepting, lets requests in flight finish (up to `timeoutMs`), then cuts what is left. */
  drain(timeoutMs?: number): Promise<void>;
  /** Connections open now. */
  connections(): number;
}

type FetchApp = { fetch: (request: Request, ...rest: any[]) => Response | Promise<Response> };

/** Serves a Hono app (anything with `fetch`) on Node's HTTP server with connection limits; resolves once it listens. */
export function listen(app: FetchApp, { port = 0, host = '127.0.0.1', limits = {} }: { port?: number; host?: string; limits?: Partial<ConnectionLimits> } = {}): Promise<RunningServer> {
  const settings = { ...DEFAULT_LIMITS, ...limits };
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const perIp = new Map<string, number>();
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname: host,
        serverOptions: {
          requestTimeout: settings.requestTimeoutMs,
          headersTimeout: settings.headersTimeoutMs,
          keepAliveTimeout: settings.keepAliveTimeoutMs,
          maxHeaderSize: settings.maxHeaderBytes,
          connectionsCheckingInterval: Math.min(5000, Math.max(250, Math.floor(settings.headersTimeoutMs / 4))),
        },
      },
      (info: AddressInfo) => {
        server.off('error', reject);
        const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${shownHost}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              // Pollers and SSE clients keep connections open: end them, or close() would wait forever.
              server.closeAllConnections();
              server.close(() => done());
            }),
          drain: (timeoutMs = 10_000) =>
            new Promise<void>((done) => {
              const deadline = Date.now() + timeoutMs;
              server.close(() => {
                clearInterval(sweep);
                done();
              });
              // Idle keep-alive sockets go now; busy ones as soon as their response is out; all of them at the deadline.
              const sweep = setInterval(() => {
                if (Date.now() >= deadline) server.closeAllConnections();
                else server.closeIdleConnections();
              }, 50);
              server.closeIdleConnections();
            }),
          connections: () => sockets.size,
        });
      },
    ) as Server;
    server.maxConnections = settings.maxConnections;
    server.on('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? '';
      const open = (perIp.get(ip) ?? 0) + 1;
      if (settings.maxConnectionsPerIp && open > settings.maxConnectionsPerIp) {
        socket.destroy();
        return;
      }
      perIp.set(ip, open);
      sockets.add(socket);
      socket.once('close', () => {
        sockets.delete(socket);
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left) perIp.set(ip, left);
        else perIp.delete(ip);
      });
    });
    server.once('error', reject);
  });
}
