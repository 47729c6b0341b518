import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '../../contract/helpdesk.ts';
import { enqueue } from '../jobs/commands.ts';
import type { Tx } from '../storage/database.ts';

/** The endpoints an event may go to, as the commands need them (no secrets: those stay with the sender). */
export interface EndpointRoute {
  id: string;
  events: readonly WebhookEvent[];
}

/** Standard Webhooks' payload: `{type, timestamp, data}`. */
export interface WebhookPayload {
  type: WebhookEvent;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Retries for about a day: Standard Webhooks' suggested schedule, then dead. */
export const DELIVERY_SCHEDULE_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000];

/**
 * Records an event for every endpoint that wants it, in the caller's transaction, with the job that will send it:
 * the delivery exists if and only if the change it reports committed. Its id is the `webhook-id`, the same on
 * every retry, so a receiver can drop repeats.
 */
export async function emitWebhook(tx: Tx, endpoints: readonly EndpointRoute[], type: WebhookEvent, data: Record<string, unknown>): Promise<void> {
  const payload: WebhookPayload = { type, timestamp: new Date(tx.now).toISOString(), data };
  for (const endpoint of endpoints) {
    if (!endpoint.events.includes(type)) continue;
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    await tx.run(
      "INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, state, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
      [id, endpoint.id, type, JSON.stringify(payload), tx.now, tx.now],
    );
    await enqueue(tx, 'webhook.deliver', { deliveryId: id }, { maxAttempts: DELIVERY_SCHEDULE_MS.length + 1 });
  }
}
