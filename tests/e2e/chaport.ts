import type { Page } from '@playwright/test';
import { DEMO_TOKEN, type Stack } from '../../demo/stack.ts';
import { APP_ID, expect, launcher, openWidgetPage, panel } from './fixtures.ts';

/** The visitor's side of a Chaport chat (the sandbox's window), and an operator answering over its REST API. */

export const chatWindow = (page: Page) => page.locator('.chaport-container .chaport-window');
export const chatFrame = (page: Page) => page.frameLocator('.chaport-window iframe');

/** The visitor types in Chaport's window (the sandbox's iframe). */
export async function visitorWrites(page: Page, text: string): Promise<void> {
  await chatFrame(page).getByRole('textbox').fill(text);
  await chatFrame(page).getByRole('button', { name: 'Send' }).click();
  await expect(chatFrame(page).locator('li.visitor-message').last()).toContainText(text);
}

/** The visitor minimizes Chaport's window with its own button. */
export async function visitorClosesChat(page: Page): Promise<void> {
  await chatFrame(page).getByRole('button', { name: 'Minimize the chat' }).click();
  await expect(chatWindow(page)).toBeHidden();
}

export const visitorIdOf = (page: Page) => page.evaluate((appId) => localStorage.getItem(`chaport-sandbox:${appId}:visitor`), APP_ID);

/** An operator replies through the (fake) Chaport REST API, as the helpdesk would. */
export async function operatorReplies(stack: Stack, visitorId: string, text: string): Promise<void> {
  const response = await fetch(`${stack.sandbox}/api/v1/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ visitorId, chatEvent: { type: 'operator-message', params: { text, operatorId: 'op-anna' } } }),
  });
  expect(response.status).toBe(201);
}

/** The visitor opens the chat from the widget and writes; returns their Chaport visitor id. */
export async function startConversation(page: Page, stack: Stack, widgetId: string, params: Record<string, string> = {}, text = 'Hello, I have a question'): Promise<string> {
  await openWidgetPage(page, stack, widgetId, params);
  await launcher(page).click();
  await panel(page).locator('[data-channel="chat"]').click();
  await expect(chatWindow(page)).toBeVisible();
  await visitorWrites(page, text);
  const visitorId = await visitorIdOf(page);
  expect(visitorId).toBeTruthy();
  return visitorId!;
}

