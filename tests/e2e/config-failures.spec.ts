import type { Route } from '@playwright/test';
import { expect, openWidgetPage, recordedEvents, test, waitForEvent } from './fixtures.ts';

/** Each way the configuration endpoint can fail: the page keeps working, an `error` event says why. */
const failures: { name: string; respond: (route: Route, origin: string) => Promise<void> | void; code: string; message: RegExp; fetches: number }[] = [
  {
    name: 'a 500',
    respond: (route, origin) => route.fulfill({ status: 500, headers: { 'Access-Control-Allow-Origin': origin }, body: 'boom' }),
    code: 'config_unavailable',
    message: /^Could not load the configuration of widget "all" from http:\/\/127\.0\.0\.1:\d+\/v1\/widgets\/all\/config: HTTP 500$/,
    fetches: 3, // transient: the first try and two retries
  },
  {
    name: 'a timeout',
    respond: () => {
      /* never answers */
    },
    code: 'config_unavailable',
    message: /: no answer within 1000 ms$/,
    fetches: 1, // the visitor has waited long enough
  },
  {
    name: 'malformed JSON',
    respond: (route, origin) => route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': origin }, body: '{"id": "all", "chan' }),
    code: 'config_invalid',
    message: /is not valid JSON$/,
    fetches: 1, // the same bytes would come again
  },
  {
    name: 'a configuration that fails the schema',
    respond: (route, origin) =>
      route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': origin }, body: JSON.stringify({ id: 'all', allowedOrigins: [], channels: [] }) }),
    code: 'config_invalid',
    message: /is invalid:\ntexts: is required\nchannels: needs at least one channel$/,
    fetches: 1,
  },
  {
    name: 'a network failure',
    respond: (route) => route.abort('connectionrefused'),
    code: 'config_unavailable',
    message: /: network error/,
    fetches: 3,
  },
];

test.describe('a failing configuration leaves the page untouched', () => {
  for (const failure of failures) {
    test(`${failure.name}: an error event, no exception, no widget, fetched ${failure.fetches === 1 ? 'exactly once' : `${failure.fetches} times (retried)`}`, async ({ page, stack }) => {
      let calls = 0;
      await page.route(`${stack.api}/v1/widgets/all/config`, (route) => (calls++, failure.respond(route, stack.site)));
      await openWidgetPage(page, stack, 'all', { 'data-timeout': '1000' });
      const error = await waitForEvent(page, 'error');
      expect(error.payload.name).toBe('ConfigError');
      expect(error.payload.code).toBe(failure.code);
      expect(error.payload.message).toMatch(failure.message);
      expect(await page.locator('omniwidget-root').count()).toBe(0);
      expect((await recordedEvents(page)).filter((event) => event.name === 'ready')).toEqual([]);
      // The host page is fully usable.
      await page.locator('#own-button').click();
      await expect(page.locator('h1.host-title')).toHaveText('Host page');
      // Retried only where retrying makes sense (a 500 or a network failure), and boundedly; the error comes after the last try.
      expect(calls).toBe(failure.fetches);
    });
  }

  test('an unknown widget: a 404 the SDK can read, reported as such', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'no-such-widget');
    const error = await waitForEvent(page, 'error');
    expect(error.payload).toMatchObject({ code: 'config_unavailable', message: expect.stringMatching(/HTTP 404 \(unknown widget\)$/) });
    expect(await page.locator('omniwidget-root').count()).toBe(0);
  });

  test('without an error listener, the failure goes to the console, not to an exception', async ({ page, stack }) => {
    const warnings: string[] = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await page.route(`${stack.api}/v1/widgets/all/config`, (route) => route.fulfill({ status: 500, headers: { 'Access-Control-Allow-Origin': stack.site }, body: '' }));
    await page.goto(`${stack.site}/t/all`);
    await expect.poll(() => warnings.join('\n')).toMatch(/\[omniwidget\] Could not load the configuration of widget "all"/);
  });
});
