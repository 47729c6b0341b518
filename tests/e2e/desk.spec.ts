import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { Stack } from '../../demo/stack.ts';
import { chatFrame, chatWindow, startConversation, visitorClosesChat, visitorWrites } from './chaport.ts';
import { audit } from './axe.ts';
import { expect, recordedEvents, test, waitForEvent } from './fixtures.ts';
import { ensureStaff, signInAs, type Person } from './staff.ts';

/**
 * The agent desk in a real browser, with the widget and the Chaport sandbox: a visitor writes on the site, the chat
 * comes into the desk live, the agent answers as their Chaport operator, and the visitor sees it.
 */

const AGENT: Person = { email: 'dana@acme.example', password: 'a desk password', name: 'Dana', role: 'agent', chaport: { mapping: 'operator', operatorId: 'op-anna' } };

/** Dana answers every group and channel, as the sandbox's operator Anna (several staff may share one operator). */
const ensureAgent = (stack: Stack) => ensureStaff(stack, AGENT);
const signIn = (page: Page, stack: Stack) => signInAs(page, stack, AGENT);

/** A word no other test uses, so each test finds its own conversation in a shared desk. */
const marker = () => `q${Math.random().toString(36).slice(2, 8)}`;
const itemFor = (desk: Page, text: string) => desk.locator('.conversations button.item', { hasText: text });
const replyBox = (desk: Page) => desk.getByLabel(/^Reply to /);

/** An e-mail-form message, as the widget sends it, which the helpdesk keeps as an e-mail case. */
async function emailCase(stack: Stack, text: string): Promise<void> {
  const response = await fetch(`${stack.api}/v1/widgets/all/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: stack.site, 'Idempotency-Key': `key-${text}-${Date.now()}` },
    body: JSON.stringify({ name: 'Mail Visitor', email: 'mail.visitor@example.com', message: `By e-mail: ${text}` }),
  });
  expect(response.status).toBe(201);
}

test.describe('the agent desk', () => {
  test('refuses a wrong password with a clear message and keeps the desk closed', async ({ page, stack }) => {
    await ensureAgent(stack);
    await page.goto(`${stack.api}/desk`);
    await page.getByLabel('E-mail').fill(AGENT.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong e-mail or password');
    await expect(page.locator('.desk')).toHaveCount(0);
    expect((await page.request.get(`${stack.api}/v1/conversations`)).status()).toBe(401);
  });

  test('a visitor writes; the chat comes in live with a waiting count; the agent answers; the visitor sees the answer', async ({ page, context, stack }) => {
    const desk = await context.newPage();
    await signIn(desk, stack);
    const word = marker();
    await startConversation(page, stack, 'all', {}, `Where is my order ${word}?`);
    // No reload: the live stream brings it.
    const item = itemFor(desk, word);
    await expect(item).toBeVisible();
    await expect(item.locator('.count')).toHaveText('1');
    await expect(desk.locator('.live-indicator')).toHaveClass(/waiting/);
    await item.click();
    await expect(desk.locator('.messages .message.visitor')).toContainText([`Where is my order ${word}?`]);
    await expect(desk.locator('.composer .note')).toContainText('Visitors see your replies from the Chaport operator "Anna"');
    await replyBox(desk).fill(`On its way, ${word}`);
    await desk.getByRole('button', { name: 'Send' }).click();
    await expect(desk.locator('.message.agent', { hasText: `On its way, ${word}` }).locator('.delivery')).toHaveText('Sent');
    await expect(replyBox(desk)).toHaveValue('');
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(new RegExp(`On its way, ${word}`));
    // The visitor answers: it shows in the open thread at once, and the reply (read back from Chaport) is not doubled.
    await visitorWrites(page, `Thanks ${word}`);
    await expect(desk.locator('.messages .message.visitor').last()).toContainText(`Thanks ${word}`);
    await expect(desk.locator('.message', { hasText: `On its way, ${word}` })).toHaveCount(1);
  });

  test('the demo story: the visitor closes the chat, the agent answers again, and the chat opens by itself', async ({ page, context, stack }) => {
    const desk = await context.newPage();
    await signIn(desk, stack);
    const word = marker();
    // A Chaport that never says a reply came: only the helpdesk's own signal can re-open the chat.
    await startConversation(page, stack, 'quiet-chaport', {}, `Do you ship to Riga? ${word}`);
    await itemFor(desk, word).click();
    await replyBox(desk).fill('Yes, we do.');
    await replyBox(desk).press('Control+Enter');
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(/Yes, we do\./);
    await visitorClosesChat(page);
    await replyBox(desk).fill('Delivery takes three days.');
    await replyBox(desk).press('Control+Enter');
    await expect(chatWindow(page)).toBeVisible();
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(/three days/);
    expect((await waitForEvent(page, 'chat:message')).payload).toEqual({ channel: 'chat', reopened: true });
    expect((await recordedEvents(page)).filter((event) => event.name === 'chat:message')).toHaveLength(1);
  });

  test('completing a chat moves it to the cases, which filter by channel with the e-mail cases', async ({ page, context, stack }) => {
    const desk = await context.newPage();
    await signIn(desk, stack);
    const word = marker();
    await emailCase(stack, word);
    await startConversation(page, stack, 'all', {}, `A chat to complete ${word}`);
    await itemFor(desk, word).click();
    await desk.getByRole('button', { name: 'Complete chat' }).click();
    await expect(desk.locator('.thread-head')).toContainText('resolved, completed by');
    await expect(desk.getByRole('tab', { name: /Live chats/ })).toHaveAttribute('aria-selected', 'true');
    await expect(desk.locator('#conversation-list').getByText(`A chat to complete ${word}`)).toHaveCount(0);

    await desk.getByRole('tab', { name: /Cases/ }).click();
    const channel = desk.getByLabel('Channel');
    await channel.selectOption('email');
    await expect(itemFor(desk, word)).toHaveCount(1);
    await expect(itemFor(desk, word)).toContainText(`By e-mail: ${word}`);
    await expect(desk.locator('.conversations .tag.online_chat')).toHaveCount(0);
    await channel.selectOption('online_chat');
    await expect(itemFor(desk, word)).toHaveCount(1);
    await expect(itemFor(desk, word)).toContainText(`A chat to complete ${word}`);
    await expect(desk.locator('.conversations .tag.email')).toHaveCount(0);
    await channel.selectOption('');
    await expect(itemFor(desk, word)).toHaveCount(2);
  });

  test('works from the keyboard: j/k move, Enter opens, Ctrl+Enter sends, Escape goes back to the list', async ({ page, context, stack }) => {
    const desk = await context.newPage();
    await signIn(desk, stack);
    const word = marker();
    await startConversation(page, stack, 'all', {}, `Keyboard question ${word}`);
    await expect(itemFor(desk, word)).toBeVisible();
    await desk.locator('body').press('j');
    const focusedItem = desk.locator('.conversations button.item:focus');
    await expect(focusedItem).toHaveCount(1);
    // Move down to our conversation (the newest is first, but other tests may have left chats).
    for (let step = 0; step < 20 && !(await itemFor(desk, word).evaluate((item) => item === document.activeElement)); step++) await desk.keyboard.press('j');
    await expect(itemFor(desk, word)).toBeFocused();
    await desk.keyboard.press('Enter');
    await expect(desk.locator('#thread-title')).toBeFocused();
    for (let step = 0; step < 10 && !(await replyBox(desk).evaluate((box) => box === document.activeElement)); step++) await desk.keyboard.press('Tab');
    await expect(replyBox(desk)).toBeFocused();
    await desk.keyboard.type(`Typed, not clicked ${word}`);
    await desk.keyboard.press('Control+Enter');
    await expect(desk.locator('.message.agent', { hasText: `Typed, not clicked ${word}` }).locator('.delivery')).toHaveText('Sent');
    await replyBox(desk).focus();
    await desk.keyboard.press('Escape');
    await expect(desk.locator('.desk')).toHaveAttribute('data-showing', 'list');
    await expect(itemFor(desk, word)).toBeFocused();
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(new RegExp(`Typed, not clicked ${word}`));
  });
});

test.describe('the desk for everyone', () => {
  /** Switches where Chaport's visitor data shows (the integration setting), by rewriting the file and reloading it. */
  async function setPanelMode(stack: Stack, panel: 'integrations' | 'info'): Promise<void> {
    const file = JSON.parse(readFileSync(stack.configPath, 'utf8'));
    file.helpdesk.chaport.panel = panel;
    writeFileSync(stack.configPath, JSON.stringify(file));
    expect(await stack.helpdesk.reload()).toMatchObject({ ok: true });
  }

  for (const viewport of [
    { name: 'a laptop', width: 1280, height: 800 },
    { name: 'a 390 px phone', width: 390, height: 844 },
  ]) {
    test(`is axe-clean and fits ${viewport.name}, signed out and in, in both visitor-panel modes`, async ({ browser, stack }) => {
      test.slow(); // two full audits per mode
      const context = await browser.newContext({ bypassCSP: true, viewport });
      const visitor = await context.newPage();
      const word = marker();
      await startConversation(visitor, stack, 'all', {}, `Accessibility check ${word}`);
      const desk = await context.newPage();
      await ensureAgent(stack);
      await desk.goto(`${stack.api}/desk`);
      await expect(desk.getByRole('button', { name: 'Sign in' })).toBeVisible();
      expect(await audit(desk)).toEqual([]);
      await signIn(desk, stack);
      const fits = () => desk.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      expect(await audit(desk)).toEqual([]);
      expect(await fits()).toBe(true);
      try {
        for (const mode of ['integrations', 'info'] as const) {
          await setPanelMode(stack, mode);
          await desk.reload();
          await itemFor(desk, word).click();
          await expect(desk.locator('#thread-title')).toContainText('Accessibility check');
          if (mode === 'integrations') {
            await desk.getByRole('button', { name: 'Integrations: Chaport' }).click();
            await expect(desk.getByRole('region', { name: 'Chaport data' })).toBeVisible();
          } else {
            await expect(desk.getByRole('heading', { name: 'From Chaport' })).toBeVisible();
            await expect(desk.getByRole('heading', { name: 'Recent cases' })).toBeVisible();
          }
          await expect(desk.locator('.facts')).toContainText('Start page');
          expect(await audit(desk)).toEqual([]);
          expect(await fits()).toBe(true);
          await desk.screenshot({ path: test.info().outputPath(`desk-${viewport.width}-${mode}.png`), fullPage: true });
          if (viewport.width < 900) {
            // One pane at a time on a phone, with a way back.
            await expect(desk.locator('.list-pane')).toBeHidden();
            await desk.getByRole('button', { name: '← Conversations' }).click();
            await expect(desk.locator('.list-pane')).toBeVisible();
          }
        }
      } finally {
        await setPanelMode(stack, 'integrations');
        await context.close();
      }
    });
  }
});
