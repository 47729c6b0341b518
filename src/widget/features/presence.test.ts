import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WidgetConfig } from '../../contract/config.ts';
import type { PresenceResponse } from '../../contract/api.ts';
import type { OmniwidgetError } from '../errors.ts';
import { presenceFeature, type PresenceFeature } from './presence.ts';
import { createStores } from './stores.ts';

const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });
const config = (display: 'always' | 'hideWhenOffline') =>
  ({ id: 'acme', presence: { pollSeconds: 2 }, channels: [{ id: 'chat', type: 'chaport', display }, { id: 'tg', type: 'telegram' }] }) as unknown as WidgetConfig;
/** A visible tab without Web Locks or BroadcastChannel: it polls for itself. */
const win = { document: { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} }, navigator: {} } as unknown as Window & typeof globalThis;

let features: PresenceFeature[] = [];
afterEach(() => {
  features.forEach((feature) => feature.stop());
  features = [];
});

function setup(display: 'always' | 'hideWhenOffline', presence: () => Promise<PresenceResponse>) {
  const stores = createStores({ chatOngoing: false });
  const events: unknown[] = [];
  const errors: OmniwidgetError[] = [];
  let polls = 0;
  const feature = presenceFeature({
    config: config(display),
    name: `test ${Math.random()}`,
    api: { presence: () => (polls++, presence()), timeout: 1000 },
    stores,
    events: { emit: (name, payload) => events.push([name, payload]) },
    win,
    report: (error) => errors.push(error as OmniwidgetError),
  });
  features.push(feature);
  feature.start();
  return { feature, stores, events, errors, polls: () => polls };
}

describe('presence feature', () => {
  it('polls nothing before start() (the launcher is drawn first)', async () => {
    const stores = createStores({ chatOngoing: false });
    let polls = 0;
    const feature = presenceFeature({ config: config('hideWhenOffline'), name: `unstarted ${Math.random()}`, api: { presence: async () => (polls++, { channels: {}, checkedAt: null }), timeout: 1000 }, stores, events: { emit() {} }, win, report() {} });
    features.push(feature);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(polls).toBe(0);
    feature.start();
    await vi.waitFor(() => expect(polls).toBe(1));
  });

  it('a chat shown always costs no request, and is settled at once', async () => {
    const { feature, polls } = setup('always', async () => ({ channels: {}, checkedAt: null }));
    await feature.settled();
    expect(polls()).toBe(0);
  });

  it('settles on the first answer, into the store, and tells presence listeners of each change', async () => {
    let online = true;
    const { feature, stores, events } = setup('hideWhenOffline', async () => ({ channels: { chat: { online } }, checkedAt: null }));
    await feature.settled();
    expect(stores.presence.get()).toEqual({ chat: true });
    expect(events).toEqual([['presence', { channel: 'chat', online: true }]]);
    online = false;
    await until(() => expect(events).toHaveLength(2));
    expect(events[1]).toEqual(['presence', { channel: 'chat', online: false }]);
  });

  it('failures reach error listeners (once per run of failures), and presence becomes unknown', async () => {
    const { feature, stores, errors } = setup('hideWhenOffline', async () => {
      throw new TypeError('Failed to fetch');
    });
    await feature.settled();
    expect(stores.presence.get()).toEqual({ chat: null });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'presence_unavailable', message: 'Could not tell whether the operators of widget "acme" are online: network error (Failed to fetch)' });
  });
});
