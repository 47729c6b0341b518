/**
 * One open-loop load generator in a process of its own, so that measuring reads is never delayed by the JavaScript
 * that generates writes (both would otherwise share one event loop). Arguments: a JSON object
 * `{ url, rate, seconds, kind: 'config' | 'presence' | 'message', widget, origin }`; prints the result as JSON.
 */
import { randomUUID } from 'node:crypto';
import { openLoop, type OpenLoopRequest } from './load.ts';

const { url, rate, seconds, kind, widget, origin } = JSON.parse(process.argv[2]!) as { url: string; rate: number; seconds: number; kind: string; widget: string; origin: string };
const acknowledged: string[] = [];
const MESSAGE = `A message of a realistic size. ${'Lorem ipsum dolor sit amet. '.repeat(8)}`;

const make = (): OpenLoopRequest =>
  kind === 'message'
    ? {
        method: 'POST',
        path: `/v1/widgets/${widget}/messages`,
        headers: { origin, 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
        body: () => JSON.stringify({ email: 'ann@example.com', message: MESSAGE }),
        onResponse: (status, body) => status === 201 && void acknowledged.push((JSON.parse(body) as { id: string }).id),
      }
    : { method: 'GET', path: `/v1/widgets/${widget}/${kind}`, headers: { origin, 'accept-encoding': 'identity' } };

const result = await openLoop(url, { rate, seconds, make });
process.stdout.write(JSON.stringify({ ...result, acknowledged }));
