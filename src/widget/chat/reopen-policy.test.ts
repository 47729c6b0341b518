import { describe, expect, it } from 'vitest';
import { createReopenPolicy } from './reopen-policy.ts';

describe('reopen policy', () => {
  it('re-opens after a single close', () => {
    const policy = createReopenPolicy({ enabled: true, now: () => 0 });
    policy.chatClosed();
    expect(policy.shouldReopen()).toBe(true);
  });

  it('never re-opens when turned off', () => {
    expect(createReopenPolicy({ enabled: false }).shouldReopen()).toBe(false);
  });

  it('stops after two closes within the window, until the visitor opens the chat', () => {
    let time = 0;
    const policy = createReopenPolicy({ enabled: true, fightWindowMs: 15_000, now: () => time });
    policy.chatClosed();
    time = 5_000; // the chat re-opened itself and the visitor closed it again at once
    policy.chatClosed();
    expect(policy.shouldReopen()).toBe(false);
    time = 600_000;
    expect(policy.shouldReopen()).toBe(false);
    policy.visitorOpened();
    expect(policy.shouldReopen()).toBe(true);
  });

  it('does not count closes far apart as fighting', () => {
    let time = 0;
    const policy = createReopenPolicy({ enabled: true, fightWindowMs: 15_000, now: () => time });
    policy.chatClosed();
    time = 60_000;
    policy.chatClosed();
    expect(policy.shouldReopen()).toBe(true);
  });
});
