import { describe, expect, it } from 'vitest';
import type { WidgetConfig } from '../../contract/config.ts';
import type { Chat } from '../chat/chat.ts';
import { CONVERSATION_KEY } from '../chat/conversation.ts';
import { memoryStorage } from '../storage.ts';
import { chatFeature, type ChatFeatureDeps } from './chat.ts';
import type { LoadChunk } from './chunks.ts';
import { createStores } from './stores.ts';

const config = { id: 'acme', reopenOnReply: true, presence: { pollSeconds: 30 }, channels: [{ id: 'chat', type: 'chaport', appId: 'a'.repeat(24) }] } as unknown as WidgetConfig;

function setup({ ongoing = false, failures = 0 } = {}) {
  const stores = createStores({ chatOngoing: false });
  const storage = memoryStorage();
  if (ongoing) storage.set(CONVERSATION_KEY, JSON.stringify({ at: Date.now() }));
  const calls: string[] = [];
  const errors: unknown[] = [];
  let loads = 0;
  let failuresLeft = failures;
  const load = (async (name: string) => {
    loads++;
    if (failuresLeft-- > 0) throw new Error(`no ${name} chunk`);
    return {
      createChat: (deps: { $state: unknown; channel: { id: string } }) => {
        calls.push(`create ${deps.channel.id}${deps.$state === stores.chat ? ' on the widget\'s store' : ''}`);
        return { open: () => calls.push('open'), close: () => calls.push('close'), identify: (data: object) => calls.push(`identify ${JSON.stringify(data)}`), destroy: () => calls.push('destroy') } as unknown as Chat;
      },
    };
  }) as unknown as LoadChunk;
  const feature = chatFeature({ config, stores, load, storage: () => storage, report: (error: unknown) => errors.push(error), events: { emit() {} }, api: { lastReplyAt: async () => null } } as unknown as ChatFeatureDeps)!;
  feature.start();
  return { feature, stores, calls, errors, loads: () => loads };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('chat feature', () => {
  it('loads nothing until the visitor asks for the chat; then the adapter, on the widget\'s store, and opens it', async () => {
    const { feature, calls, loads } = setup();
    feature.identify({ name: 'Ann' });
    await settle();
    expect(loads()).toBe(0);
    feature.open();
    await settle();
    expect(calls).toEqual(["create chat on the widget's store", 'identify {"name":"Ann"}', 'open']);
  });

  it('loads the adapter with the page when a conversation goes on, so replies can arrive', async () => {
    const { calls, stores } = setup({ ongoing: true });
    expect(stores.chat.get().ongoing).toBe(true);
    await settle();
    expect(calls).toEqual(["create chat on the widget's store"]);
  });

  it('a chunk that fails to load marks the chat failed and is reported; the next open tries again', async () => {
    const { feature, stores, calls, errors } = setup({ failures: 1 });
    feature.open();
    await settle();
    expect(stores.chat.get().status).toBe('failed');
    expect(errors).toEqual([new Error('no chat chunk')]);
    feature.open();
    await settle();
    expect(stores.chat.get().status).toBe('idle');
    expect(calls).toEqual(["create chat on the widget's store", 'open']);
  });

  it('stop() destroys the adapter, and one still loading never starts', async () => {
    const loaded = setup({ ongoing: true });
    await settle();
    loaded.feature.stop();
    expect(loaded.calls.at(-1)).toBe('destroy');
    const late = setup();
    late.feature.open();
    late.feature.stop();
    await settle();
    expect(late.calls).toEqual([]);
  });
});
