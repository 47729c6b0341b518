import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { automationRuleSchema, type AutomationRule } from '../../contract/helpdesk.ts';
import { evaluateRules } from './automation.ts';
import { LifecycleError, acceptsMessages, idleDue, start, transition } from './lifecycle.ts';
import { pageMatches, routeChat } from '../../contract/routing.ts';

describe('pageMatches', () => {
  it.each([
    ['/pricing*', 'https://acme.example/pricing', true],
    ['/pricing*', 'https://acme.example/pricing/enterprise?plan=pro', true],
    ['/pricing*', 'https://acme.example/about/pricing', false],
    ['/docs/api*', 'https://acme.example/docs/api/v1', true],
    ['/docs/api*', 'https://acme.example/docs/guide', false],
    ['/contact', 'https://acme.example/contact', true],
    ['/contact', 'https://acme.example/contact-us', false],
    ['*checkout*', 'https://shop.example/cart/checkout?step=2', true],
    ['https://acme.example/help*', 'https://acme.example/help/faq', true],
    ['https://acme.example/help*', 'https://other.example/help/faq', false],
    ['/PRICING*', 'https://acme.example/pricing', true],
    ['/a.b*', 'https://acme.example/aXb', false],
    ['/pricing*', null, false],
  ])('%s against %s → %s', (pattern, page, expected) => {
    expect(pageMatches(pattern, page)).toBe(expected);
  });
});

describe('routeChat', () => {
  const rules = [
    { startPage: '/pricing*', group: 'billing' },
    { startPage: '/docs/api*', group: 'technical' },
    { startPage: '/docs*', group: 'docs' },
  ];
  it('takes the first matching start-page rule, else the default group', () => {
    expect(routeChat('https://acme.example/pricing?x=1', rules, 'general')).toEqual({ group: 'billing', rule: 0 });
    expect(routeChat('https://acme.example/docs/api/v2', rules, 'general')).toEqual({ group: 'technical', rule: 1 });
    expect(routeChat('https://acme.example/docs/intro', rules, 'general')).toEqual({ group: 'docs', rule: 2 });
    expect(routeChat('https://acme.example/', rules, 'general')).toEqual({ group: 'general', rule: null });
    expect(routeChat(null, rules, 'general')).toEqual({ group: 'general', rule: null });
  });
});

describe('evaluateRules', () => {
  const rule = (input: unknown) => v.parse(automationRuleSchema, input);
  const rules: AutomationRule[] = [
    rule({ id: 'chats-to-cases', name: 'Chats straight to cases', on: 'conversation.created', conditions: [{ field: 'channel', op: 'equals', value: 'online_chat' }, { field: 'startPage', op: 'matches', value: '/careers*' }], actions: [{ type: 'completeChat', status: 'pending' }] }),
    rule({ id: 'refunds', name: 'Refunds to billing', on: 'message.created', conditions: [{ field: 'messageText', op: 'contains', value: 'REFUND' }], actions: [{ type: 'setGroup', group: 'billing' }] }),
    rule({ id: 'billing-to-ann', name: 'Billing to Ann', on: 'message.created', conditions: [{ field: 'group', op: 'equals', value: 'billing' }], actions: [{ type: 'assign', agent: 'ann@acme.example' }] }),
    rule({ id: 'invoices', name: 'Invoice numbers', on: 'message.created', conditions: [{ field: 'messageText', op: 'matches', value: 'INV-\\d{4}' }], actions: [{ type: 'setGroup', group: 'accounts' }] }),
  ];
  const context = { channel: 'online_chat' as const, group: 'general', startPage: 'https://acme.example/careers/dev', messageText: null };

  it('applies the rules of the moment whose conditions all hold, in order', () => {
    expect(evaluateRules(rules, 'conversation.created', context)).toEqual([{ rule: 'chats-to-cases', action: { type: 'completeChat', status: 'pending' } }]);
    expect(evaluateRules(rules, 'conversation.created', { ...context, channel: 'email' })).toEqual([]);
    expect(evaluateRules(rules, 'conversation.created', { ...context, startPage: 'https://acme.example/' })).toEqual([]);
  });

  it('lets a setGroup earlier in the list change what later rules see', () => {
    expect(evaluateRules(rules, 'message.created', { ...context, messageText: 'I want a refund please' }).map((item) => item.rule)).toEqual(['refunds', 'billing-to-ann']);
    expect(evaluateRules(rules, 'message.created', { ...context, messageText: 'About INV-2024' }).map((item) => item.rule)).toEqual(['invoices']);
    expect(evaluateRules(rules, 'message.created', { ...context, messageText: 'hello' })).toEqual([]);
  });
});

describe('the conversation lifecycle', () => {
  const IDLE = 10 * 60_000;

  it('starts a chat live with a silence deadline, and an e-mail as a case', () => {
    expect(start('online_chat', 1000, IDLE)).toEqual({ channel: 'online_chat', phase: 'live', status: 'open', lastActivityAt: 1000, liveUntil: 1000 + IDLE, completedAt: null, completedBy: null });
    expect(start('email', 1000, IDLE)).toMatchObject({ phase: 'case', liveUntil: null });
  });

  it('moves the silence deadline with each message, never back', () => {
    const live = start('online_chat', 1000, IDLE);
    expect(transition(live, { type: 'activity', at: 5000, idleMs: IDLE })).toMatchObject({ lastActivityAt: 5000, liveUntil: 5000 + IDLE });
    expect(transition(live, { type: 'activity', at: 500, idleMs: IDLE })).toMatchObject({ lastActivityAt: 1000, liveUntil: 1000 + IDLE });
  });

  it.each(['agent', 'idle', 'chaport', 'rule'] as const)('completes a live chat by %s: it becomes a case', (by) => {
    const completed = transition(start('online_chat', 1000, IDLE), { type: 'complete', by, at: 2000, status: 'resolved' });
    expect(completed).toMatchObject({ phase: 'case', status: 'resolved', liveUntil: null, completedAt: 2000, completedBy: by });
    expect(acceptsMessages(completed)).toBe(false);
  });

  it('keeps the status when completion names none', () => {
    expect(transition(start('online_chat', 1000, IDLE), { type: 'complete', by: 'idle', at: 2000 }).status).toBe('open');
  });

  it('refuses to complete what is not live', () => {
    const completed = transition(start('online_chat', 1000, IDLE), { type: 'complete', by: 'agent', at: 2000 });
    expect(() => transition(completed, { type: 'complete', by: 'idle', at: 3000 })).toThrow(LifecycleError);
    expect(() => transition(start('email', 1000, IDLE), { type: 'complete', by: 'agent', at: 3000 })).toThrow(LifecycleError);
  });

  it('is due for idle completion once its deadline passes, and not before', () => {
    const live = start('online_chat', 1000, IDLE);
    expect(idleDue(live, 1000 + IDLE - 1)).toBe(false);
    expect(idleDue(live, 1000 + IDLE)).toBe(true);
    expect(idleDue(start('email', 1000, IDLE), Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('reopens a resolved case on new activity, and sets statuses', () => {
    const resolved = transition(start('email', 1000, IDLE), { type: 'setStatus', status: 'resolved' });
    expect(transition(resolved, { type: 'activity', at: 9000, idleMs: IDLE })).toMatchObject({ status: 'open', lastActivityAt: 9000, liveUntil: null });
    expect(transition(resolved, { type: 'setStatus', status: 'snoozed' }).status).toBe('snoozed');
  });
});
