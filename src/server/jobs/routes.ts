import { Hono } from 'hono';
import type { AuthEnv } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import type { AppDatabase } from '../storage/open.ts';
import { listJobs } from './commands.ts';

/** `/v1/jobs`: the background work waiting, and the dead letters — with a way to give one another round. */
export function jobRoutes(db: AppDatabase): Hono<AuthEnv> {
  const api = new Hono<AuthEnv>();
  api.get('/', async (c) => {
    const state = c.req.query('state');
    if (state !== undefined && state !== 'queued' && state !== 'dead') throw new ApiError(400, 'invalid_query', 'state: must be "queued" or "dead"', 'state');
    const jobs = await db.read((q) => listJobs(q, { ...(state ? { state } : {}), ...(c.req.query('kind') ? { kind: c.req.query('kind')! } : {}), limit: 200 }));
    return c.json({ jobs });
  });
  api.post('/:id/retry', async (c) => {
    if (!(await db.write('jobs.revive', { id: c.req.param('id') }))) throw new ApiError(404, 'not_found', `No dead job ${c.req.param('id')}`);
    return c.json({ revived: true });
  });
  return api;
}
