import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../storage.ts';
import type { LoadChunk } from './chunks.ts';
import { emailFeature, type EmailFeatureDeps } from './email.ts';
import { createStores } from './stores.ts';

function setup(storage = memoryStorage()) {
  const stores = createStores({ chatOngoing: false });
  const calls: string[] = [];
  const listeners = new Map<string, () => void>();
  const win = { addEventListener: (type: string, listener: () => void) => listeners.set(type, listener), removeEventListener: (type: string) => listeners.delete(type) } as unknown as Window;
  const EmailForm = () => null;
  const load = (async () => ({
    EmailForm,
    createEmail: (deps: { storage: unknown }) => {
      calls.push(`create${deps.storage === storage ? ' with storage' : ''}`);
      return { retry: () => calls.push('retry'), submit: () => calls.push('submit'), stop: () => calls.push('stop') };
    },
  })) as unknown as LoadChunk;
  const feature = emailFeature({ stores, storage: () => storage, load, win, report() {} } as unknown as EmailFeatureDeps);
  feature.start();
  return { feature, stores, calls, listeners, EmailForm };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('e-mail feature', () => {
  it('loads nothing with the page when no message waits', async () => {
    const { calls } = setup();
    await settle();
    expect(calls).toEqual([]);
  });

  it('a message from an earlier page still waiting: the form\'s code loads with the page, so it is sent', async () => {
    const storage = memoryStorage();
    storage.set('outbox:key-1', JSON.stringify({ body: { email: 'a@b.c', message: 'Hi' } }));
    const { calls } = setup(storage);
    await settle();
    expect(calls).toEqual(['create with storage']);
  });

  it('ensure() loads the form into the UI\'s parts; back online, waiting messages are retried; stop() lets go', async () => {
    const { feature, stores, calls, listeners, EmailForm } = setup();
    expect(await feature.ensure()).toBe(true);
    expect(stores.parts.get().EmailForm).toBe(EmailForm);
    listeners.get('online')!();
    feature.stop();
    expect(calls).toEqual(['create with storage', 'retry', 'stop']);
    expect(listeners.size).toBe(0);
  });
});
