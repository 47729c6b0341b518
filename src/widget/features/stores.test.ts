import { describe, expect, it } from 'vitest';
import { createStores, listenAll, snapshotOf } from './stores.ts';

describe('the record of stores', () => {
  it('the snapshot has exactly the record\'s stores, each at its current value', () => {
    const stores = createStores({ chatOngoing: true });
    stores.draft.set({ name: 'Ann', email: '', message: '' });
    const snapshot = snapshotOf(stores);
    expect(Object.keys(snapshot).sort()).toEqual(Object.keys(stores).sort());
    expect(snapshot.draft.name).toBe('Ann');
    expect(snapshot.chat.ongoing).toBe(true);
  });

  it('listenAll hears a change of every store in the record, and its one stop silences them all', () => {
    const stores = createStores({ chatOngoing: false });
    let calls = 0;
    const stop = listenAll(stores, () => calls++);
    for (const store of Object.values(stores) as { set(value: unknown): void; get(): unknown }[]) store.set(structuredClone(store.get()) ?? 'changed');
    expect(calls).toBe(Object.keys(stores).length);
    stop();
    stores.panel.set({ open: true, screen: 'picker' });
    expect(calls).toBe(Object.keys(stores).length);
  });
});
