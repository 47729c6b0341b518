import { Hono } from 'hono';
import type { AuthEnv } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import type { AppDatabase } from '../storage/open.ts';
import { listDeliveries } from './deliver.ts';

/** `/v1/webhooks/deliveries`: what was sent to each endpoint, how it went, and the dead ones. */
export function deliveryRoutes(db: AppDatabase): Hono<AuthEnv> {
  const api = new Hono<AuthEnv>();
  api.get('/deliveries', async (c) => {
    const state = c.req.query('state');
    if (state !== undefined && !['pending', 'delivered', 'dead'].includes(state)) throw new ApiError(400, 'invalid_query', 'state: must be "pending", "delivered" or "dead"', 'state');
    return c.json({ deliveries: await db.read((q) => listDeliveries(q, { endpoint: c.req.query('endpoint'), state, limit: 200 })) });
  });
  return api;
}
