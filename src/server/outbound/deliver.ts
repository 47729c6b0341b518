import { createHmac } from 'node:crypto';
import type { ConfigSource } from '../config/source.ts';
import type { JobHandler } from '../jobs/runner.ts';
import type { Queryable, Tx } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import { DELIVERY_SCHEDULE_MS } from './emit.ts';

/**
 * Standard Webhooks 1.0 signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the secret's bytes
 * (after `whsec_`). During a rotation the endpoint has several secrets, and each signs: receivers verify any.
 */
export function sign(secrets: string, id: string, timestamp: number, body: string): string {
  return secrets
    .trim()
    .split(/\s+/)
    .map((secret) => `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`)
    .join(' ');
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event: string;
  payload: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  updated_at: number;
}

export const deliveryCommands = {
  async 'webhooks.attempted'(tx: Tx, { id, status, error, delivered, dead }: { id: string; status: number | null; error: string | null; delivered: boolean; dead: boolean }): Promise<void> {
    await tx.run(
      'UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, state = ?, delivered_at = ?, updated_at = ? WHERE id = ?',
      [status, error, delivered ? 'delivered' : dead ? 'dead' : 'pending', delivered ? tx.now : null, tx.now, id],
    );
  },
};

export async function listDeliveries(q: Queryable, { endpoint, state, limit = 100 }: { endpoint?: string | undefined; state?: string | undefined; limit?: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (endpoint) where.push('endpoint_id = ?') && params.push(endpoint);
  if (state) where.push('state = ?') && params.push(state);
  const rows = await q.all<DeliveryRow>(`SELECT * FROM webhook_deliveries${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, limit]);
  return rows.map((row) => ({
    id: row.id,
    endpoint: row.endpoint_id,
    event: row.event,
    state: row.state,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    deliveredAt: row.delivered_at === null ? null : new Date(Number(row.delivered_at)).toISOString(),
  }));
}

/**
 * Sends one delivery: the same `webhook-id` on every attempt, a fresh timestamp and signature. A 2xx delivers it;
 * anything else is retried on Standard Webhooks' schedule (about a day), then the delivery is dead — listed in the
 * API, and revivable.
 */
export function deliveryJob({ db, config, fetch: fetchImpl = fetch, now = Date.now }: { db: AppDatabase; config: ConfigSource; fetch?: typeof fetch; now?: () => number }): JobHandler<{ deliveryId: string }> {
  const attempts = DELIVERY_SCHEDULE_MS.length + 1;
  return {
    maxAttempts: attempts,
    backoffMs: (failures, random) => DELIVERY_SCHEDULE_MS[Math.min(failures, DELIVERY_SCHEDULE_MS.length) - 1]! * (0.9 + random() * 0.2),
    timeoutMs: 15_000,
    async run({ deliveryId }, { job, signal }) {
      const delivery = await db.read((q) => q.get<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = ?', [deliveryId]));
      if (!delivery || delivery.state === 'delivered') return;
      const endpoint = config.helpdesk().settings.webhooks.find((item) => item.id === delivery.endpoint_id);
      const secrets = config.helpdesk().webhookSecrets.get(delivery.endpoint_id);
      const last = job.attempts >= attempts;
      if (!endpoint || !secrets) {
        await db.write('webhooks.attempted', { id: deliveryId, status: null, error: `Endpoint "${delivery.endpoint_id}" is no longer configured`, delivered: false, dead: true });
        return;
      }
      const timestamp = Math.floor(now() / 1000);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetchImpl(endpoint.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'webhook-id': delivery.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': sign(secrets, delivery.id, timestamp, delivery.payload),
            'User-Agent': 'omniwidget-webhooks/1',
          },
          body: delivery.payload,
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
        });
        status = response.status;
        await response.body?.cancel().catch(() => {});
        if (status < 200 || status >= 300) error = `answered ${status}`;
      } catch (failure) {
        error = (failure as Error).name === 'TimeoutError' ? 'no answer within 10 s' : (failure as Error).message;
      }
      await db.write('webhooks.attempted', { id: deliveryId, status, error, delivered: error === null, dead: error !== null && last });
      if (error) throw new Error(`Webhook ${delivery.id} to ${endpoint.url}: ${error}`);
    },
  };
}
