import type { Page } from '@playwright/test';
import type { Stack } from '../../demo/stack.ts';
import { audit } from './axe.ts';
import { APP_ID, channelItems, expect, launcher, test } from './fixtures.ts';
import { signInAs, type Person } from './staff.ts';

/**
 * The settings pages (#10) in a real browser, against the demo's stack: an admin edits the widgets and the helpdesk,
 * the live preview renders the real bundle, saving is in force at once, and the history rolls back.
 *
 * The stack is shared by a worker's tests: these tests add widgets of their own, and put back what they change.
 */

const ADMIN: Person = { email: 'olga@acme.example', password: 'an admin password', name: 'Olga', role: 'admin', chaport: { mapping: 'operator', operatorId: 'op-anna' } };
const signInAsAdmin = (page: Page, stack: Stack) => signInAs(page, stack, ADMIN);

const savedVersion = async (page: Page, stack: Stack): Promise<number> => (await (await page.request.get(`${stack.api}/v1/settings`)).json()).version;
const saveButton = (page: Page) => page.locator('.save-bar').getByRole('button', { name: 'Save', exact: true });
const status = (page: Page) => page.locator('.save-bar p');
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** Opens a widget's editor from the list of widgets. */
async function editWidget(page: Page, stack: Stack, id: string): Promise<void> {
  await page.goto(`${stack.api}/desk#/settings`);
  await page.locator('.card-link', { has: page.locator('b', { hasText: new RegExp(`^${id}$`) }) }).click();
  await expect(page.getByRole('heading', { name: `Widget ${id}` })).toBeVisible();
}

test.describe('the settings', () => {
  test.afterEach(({ stack }) => {
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'online');
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-boris', 'offline');
  });

  test('an admin creates a widget, adds Chaport with "hide when offline", sees it in the preview, saves, and an open page shows it after a reload', async ({ page, context, stack }) => {
    const id = unique('shop');
    // A site's page already open with the widget's code, before the widget exists: it shows nothing yet.
    const site = await context.newPage();
    await site.goto(`${stack.site}/t/${id}`);
    expect((await fetch(`${stack.api}/v1/widgets/${id}/config`)).status).toBe(404);

    await signInAsAdmin(page, stack);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'New widget' }).click();
    await page.getByLabel('Widget id').fill(id);
    await page.getByLabel('Sites allowed to embed it').fill(stack.site);
    // Checked every 2 s, so the test sees the chat go within seconds when the operators leave.
    await page.getByLabel("Check operators' presence every (seconds)").fill('2');
    await page.getByLabel('Add a channel').selectOption('chaport');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const chat = page.locator('.channel-card', { hasText: 'Online chat (Chaport)' });
    // The account comes from the Chaport channel the settings already have.
    await expect(chat.getByLabel('Chaport app id')).toHaveValue(APP_ID);
    await chat.getByLabel('When every operator is offline').selectOption('hideWhenOffline');
    // The chat first in the picker: moved above the e-mail form.
    await chat.getByRole('button', { name: /^Move Online chat .* up$/ }).click();

    // The live preview: the real bundle renders the draft, before anything is saved.
    const preview = page.frameLocator('iframe[title^="Preview of the widget"]');
    await expect(preview.locator('omniwidget-root .panel .channel')).toHaveText(['Online chat', 'E-mail']);
    await page.getByRole('radio', { name: 'Russian' }).check();
    await expect(preview.locator('omniwidget-root .panel .channel')).toHaveText(['Онлайн-чат', 'Написать на почту']);
    await page.getByRole('radio', { name: 'Phone' }).check();
    await expect(page.locator('iframe[title="Preview of the widget on a phone screen"]')).toHaveAttribute('src', /lang=ru/);
    expect(await page.locator('iframe[title="Preview of the widget on a phone screen"]').evaluate((frame) => (frame as HTMLIFrameElement).contentWindow!.innerWidth)).toBe(390);
    await expect(preview.locator('omniwidget-root .panel .channel')).toHaveText(['Онлайн-чат', 'Написать на почту']);
    // Nothing is served to visitors yet.
    expect((await fetch(`${stack.api}/v1/widgets/${id}/config`)).status).toBe(404);

    // The embed code, with the widget's id, copied by its button.
    await expect(page.locator('.snippet pre').first()).toContainText(`data-widget-id="${id}"`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.api });
    await page.getByRole('button', { name: 'Copy script tag' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'copied' })).toHaveText('Script tag copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`<script async src="${stack.api}/omniwidget.js" data-widget-id="${id}"></script>`);

    // Presence checked every 2 s (30 by default), so the page below sees operators go offline within the wait for it.
    await page.getByLabel("Check operators' presence every (seconds)").fill('2');
    const before = await savedVersion(page, stack);
    await saveButton(page).click();
    await expect(status(page)).toContainText(`Saved as version ${before + 1}`);

    // In force without a restart: the open page shows it after a reload.
    await site.reload();
    await launcher(site).click();
    await expect(channelItems(site)).toHaveText(['Online chat', 'E-mail']);
    // "Hide when offline" is in force: with every operator offline, the chat goes.
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-boris', 'offline');
    await expect(channelItems(site)).toHaveText(['E-mail'], { timeout: 10_000 });

    // A later change moves the config's ETag; the history says who changed what.
    const etag = (await fetch(`${stack.api}/v1/widgets/${id}/config`)).headers.get('etag');
    await page.getByLabel('Accent colour', { exact: true }).fill('#8250df');
    await saveButton(page).click();
    await expect(status(page)).toContainText(`Saved as version ${before + 2}`);
    const after = await fetch(`${stack.api}/v1/widgets/${id}/config`);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect((await after.json()).theme.color).toBe('#8250df');
    // The open page: its next load has the new colour, with no waiting for a cache to expire.
    await site.reload();
    await expect(launcher(site)).toHaveCSS('background-color', 'rgb(130, 80, 223)');
    await page.getByRole('link', { name: 'History' }).click();
    const newest = page.locator('.versions > li').first();
    await expect(newest.getByRole('heading')).toHaveText(`Version ${before + 2}In force`);
    await expect(newest).toContainText(`${ADMIN.name} <${ADMIN.email}> · in the settings`);
    // The widget had no theme of its own before: the theme is what changed.
    await expect(newest.locator('.changes')).toHaveText(`widgets[${id}].theme`);
    await expect(page.locator('.versions > li').nth(1).locator('.changes')).toContainText(`widgets[${id}] added`);
  });

  test('a bad value shows its error at the field, and saving saves nothing', async ({ page, stack }) => {
    await signInAsAdmin(page, stack);
    await editWidget(page, stack, 'all');
    const before = await savedVersion(page, stack);
    const configBefore = await (await fetch(`${stack.api}/v1/widgets/all/config`)).json();
    const whatsapp = page.locator('.channel-card', { hasText: 'WhatsApp' }).getByLabel('WhatsApp number');
    await whatsapp.fill('call me maybe');
    // Checked as typed, by the same schema the SDK uses: the error is at the field before any save.
    await expect(whatsapp).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('.field.invalid .field-error')).toHaveText('must be an international number such as +79990001122');
    await saveButton(page).click();
    await expect(page.locator('.save-bar p[role="alert"]')).toContainText('Nothing was saved');
    await expect(whatsapp).toBeFocused();
    expect(await savedVersion(page, stack)).toBe(before);
    expect(await (await fetch(`${stack.api}/v1/widgets/all/config`)).json()).toEqual(configBefore);

    await page.locator('.save-bar').getByRole('button', { name: 'Discard' }).click();
    await expect(whatsapp).toHaveValue('+79990001122');
    await expect(whatsapp).not.toHaveAttribute('aria-invalid');
    await expect(saveButton(page)).toBeDisabled();
  });

  test('the history rolls a change back, as a new version', async ({ page, stack }) => {
    await signInAsAdmin(page, stack);
    await editWidget(page, stack, 'left');
    const before = await savedVersion(page, stack);
    await page.getByLabel('Corner').selectOption('right');
    await saveButton(page).click();
    await expect(status(page)).toContainText(`Saved as version ${before + 1}`);
    expect((await (await fetch(`${stack.api}/v1/widgets/left/config`)).json()).theme.position).toBe('right');

    await page.getByRole('link', { name: 'History' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Roll back to version ${before}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Rolled back' })).toHaveText(`Rolled back: version ${before} is in force again, as version ${before + 2}.`);
    expect((await (await fetch(`${stack.api}/v1/widgets/left/config`)).json()).theme.position).toBe('left');
    await expect(page.locator('.versions > li').first()).toContainText(`Rolled back to version ${before}`);
  });

  test('the Chaport integration connects, and the routing test box names the group a start page goes to', async ({ page, stack }) => {
    await signInAsAdmin(page, stack);
    await page.goto(`${stack.api}/desk#/settings/helpdesk`);
    const connection = page.getByRole('region', { name: 'Chaport connection' });
    await connection.getByRole('button', { name: 'Connect' }).click();
    await expect(connection).toContainText('Connected to account');
    await expect(connection).toContainText('app.chaport.com');
    await expect(connection).toContainText('chat.started');
    await page.getByLabel('Try a start page').fill(`${stack.site}/pricing?plan=pro`);
    await expect(page.locator('#routing-test-result')).toHaveText('A chat started there goes to Billing questions (rule 1).');
    await page.getByLabel('Try a start page').fill(`${stack.site}/blog`);
    await expect(page.locator('#routing-test-result')).toHaveText('A chat started there goes to General (no rule matches: the default group).');
    // The integration's settings as the server has them.
    await expect(page.getByLabel('Default group for new chats')).toHaveValue('general');
    await expect(page.getByLabel('Complete a chat after this many minutes of silence')).toHaveValue('30');
    await expect(page.getByLabel("Where agents see the visitor's Chaport data")).toHaveValue('integrations');

    // Operator mapping: a new person answers as one of Chaport's operators, which Olga already uses.
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    const email = `${unique('lev')}@acme.example`;
    await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await page.getByRole('textbox', { name: 'Name' }).fill('Lev');
    await page.getByLabel('Replies in Chaport go out as').selectOption('operator:op-anna');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const lev = page.locator('.person', { hasText: email });
    await expect(lev).toContainText('Operator Anna');
    // Others of this worker's tests may share Anna too (the desk's Dana): Olga is among them, Lev is not.
    await expect(lev.locator('.note')).toHaveText(new RegExp(`^Shares this Chaport operator with (.*, )?${ADMIN.name}(, .*)?: visitors see one name for all of them\\.$`));
    await expect(lev.locator('.note')).not.toContainText('Lev,');
    const stored = (await (await page.request.get(`${stack.api}/v1/staff`)).json()).staff.find((person: { email: string }) => person.email === email);
    expect(stored.chaport).toEqual({ mapping: 'operator', operatorId: 'op-anna' });
  });

  test('an agent sees no settings: no link, and the API refuses them', async ({ page, stack }) => {
    const agent: Person = { email: 'pavel@acme.example', password: 'an agent password', name: 'Pavel', role: 'agent', channels: ['email'], chaport: { mapping: 'none', operatorId: null } };
    await signInAs(page, stack, agent, '#/settings');
    await expect(page.getByText('Only admins can change the settings.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Settings', exact: true })).toHaveCount(0);
    expect((await page.request.get(`${stack.api}/v1/settings`)).status()).toBe(403);
  });
});

test.describe('the settings for everyone', () => {
  /** Nothing wider than the screen: neither the page nor the scrolling settings pane. */
  const fits = (page: Page) =>
    page.evaluate(() => {
      const main = document.querySelector('.settings-main')!;
      return document.documentElement.scrollWidth <= window.innerWidth && main.scrollWidth <= main.clientWidth;
    });

  for (const viewport of [
    { name: 'a laptop', width: 1280, height: 800 },
    { name: 'a 390 px phone', width: 390, height: 844 },
  ]) {
    test(`every settings page is axe-clean and fits ${viewport.name}`, async ({ browser, stack }) => {
      test.slow(); // five full audits
      const context = await browser.newContext({ bypassCSP: true, viewport });
      const page = await context.newPage();
      try {
        await signInAsAdmin(page, stack);
        for (const [hash, heading] of [
          ['#/settings', 'Widgets'],
          ['#/settings/widget/0', 'Widget all'],
          ['#/settings/helpdesk', 'Helpdesk and Chaport'],
          ['#/settings/staff', 'Staff'],
          ['#/settings/history', 'History'],
        ] as const) {
          await page.goto(`${stack.api}/desk${hash}`);
          await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
          if (hash === '#/settings/widget/0') {
            await page.locator('.texts summary').click(); // every text field, open
            await expect(page.frameLocator('iframe[title^="Preview of the widget"]').locator('omniwidget-root .launcher')).toBeVisible();
          }
          if (hash === '#/settings/history') await expect(page.locator('.versions > li').first()).toBeVisible();
          // An automation rule on the page too (unsaved), with its conditions and actions.
          if (hash === '#/settings/helpdesk') await page.getByRole('button', { name: 'Add an automation rule' }).click();
          expect(await audit(page), hash).toEqual([]);
          expect(await fits(page), hash).toBe(true);
          await page.screenshot({ path: test.info().outputPath(`settings-${viewport.width}-${hash.replace(/\W+/g, '-')}.png`) });
        }
      } finally {
        await context.close();
      }
    });
  }

  test('works from the keyboard: the menu, a new person with a password shown once, and Ctrl+S to save', async ({ page, stack }) => {
    await signInAsAdmin(page, stack);
    await page.goto(`${stack.api}/desk#/settings`);
    await expect(page.getByRole('heading', { name: 'Widgets', exact: true })).toBeVisible();
    const tabTo = async (name: RegExp | string) => {
      const target = typeof name === 'string' ? page.getByRole('link', { name, exact: true }) : page.getByRole('button', { name });
      for (let step = 0; step < 40 && !(await target.evaluate((element) => element === document.activeElement)); step++) await page.keyboard.press('Tab');
      await expect(target).toBeFocused();
    };
    await tabTo('Staff');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Staff', exact: true })).toBeVisible();
    const email = `${unique('kira')}@acme.example`;
    await page.getByRole('textbox', { name: 'E-mail' }).focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Kira');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Kira was added' })).toContainText('Their password, shown only now:');
    const password = await page.locator('.secret').textContent();
    expect(password!.length).toBeGreaterThanOrEqual(12);
    const signIn = await page.request.post(`${stack.api}/v1/session`, { data: { email, password } });
    expect(signIn.status()).toBe(201);
    // The person's new session replaced the admin's cookie in this context: sign in again to go on.
    await page.context().clearCookies();
    await signInAsAdmin(page, stack);

    await editWidget(page, stack, 'ru');
    const before = await savedVersion(page, stack);
    await page.getByLabel('Check operators\' presence every (seconds)').focus();
    await page.keyboard.type('45');
    await page.keyboard.press('Control+s');
    await expect(status(page)).toContainText(`Saved as version ${before + 1}`);
    expect((await (await fetch(`${stack.api}/v1/widgets/ru/config`)).json()).presence.pollSeconds).toBe(45);
  });
});
