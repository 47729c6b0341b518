import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from './listen.ts';

let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

const app = new Hono();
app.get('/', (c) => c.text('hello'));
app.post('/echo', async (c) => c.text(await c.req.text()));
// A body cut off by a timeout rejects the read: the client is gone, nothing to report.
app.onError((_error, c) => c.text('aborted', 400));

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Resolves with everything the server sent once it closes the connection. */
const closedWith = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.once('close', () => resolve(received));
  });

describe('listen: connection limits', () => {
  it('cuts a client that never finishes its headers (slowloris) after headersTimeoutMs', async () => {
    server = await listen(app, { limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    const socket = await open(server.url);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const started = Date.now();
    const received = await closedWith(socket);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cuts a body that trickles in past requestTimeoutMs, while a normal request is served meanwhile', async () => {
    server = await listen(app, { limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    const socket = await open(server.url);
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc');
    const cut = closedWith(socket);
    const trickle = setInterval(() => socket.writable && socket.write('x'), 100);
    expect(await (await fetch(server.url)).text()).toBe('hello');
    const received = await cut;
    clearInterval(trickle);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses connections past the per-address cap at once, and serves again when they close', async () => {
    server = await listen(app, { limits: { maxConnectionsPerIp: 3 } });
    const held = await Promise.all([open(server.url), open(server.url), open(server.url)]);
    await expect.poll(() => server!.connections()).toBe(3);
    const extra = await open(server.url);
    expect(await closedWith(extra)).toBe('');
    for (const socket of held) socket.destroy();
    await expect.poll(() => server!.connections()).toBe(0);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('refuses headers larger than maxHeaderBytes with 431', async () => {
    server = await listen(app, { limits: { maxHeaderBytes: 2048 } });
    const response = await fetch(server.url, { headers: { 'X-Big': 'x'.repeat(4096) } });
    expect(response.status).toBe(431);
  });

  it('drains: a request in flight completes, new connections are refused, then it stops', async () => {
    server = await listen(app, { limits: {} });
    const socket = await open(server.url);
    const response = closedWith(socket);
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhe');
    await expect.poll(() => server!.connections()).toBe(1);
    const drained = server.drain(5000);
    await expect(fetch(server.url)).rejects.toThrow();
    socket.write('llo');
    expect(await response).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\nhello$/);
    await drained;
    server = undefined;
  });
});
