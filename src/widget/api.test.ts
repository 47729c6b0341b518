import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../contract/texts.ts';
import { createApiClient } from './api.ts';
import { ConfigError } from './errors.ts';

const API = 'https://help.acme.test';
const config = { id: 'acme', allowedOrigins: [], texts: DEFAULT_TEXTS, channels: [{ id: 'tg', type: 'telegram', username: 'acme_support' }] };
let answers: (() => Response)[] = [];
let calls = 0;
const server = setupServer(
  http.get(`${API}/v1/widgets/acme/config`, () => {
    calls++;
    return (answers.shift() ?? (() => HttpResponse.json(config)))();
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  answers = [];
  calls = 0;
});
afterAll(() => server.close());

const client = () => createApiClient({ apiUrl: API, widgetId: 'acme', timeout: 2000, signal: new AbortController().signal });
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration fetch', () => {
  it('fetches the configuration as JSON, as the server sent it', async () => {
    expect(await client().config()).toEqual(config);
    expect(calls).toBe(1);
  });

  it('retries a 503 and then succeeds', async () => {
    answers = [() => new HttpResponse(null, { status: 503 })];
    await client().config();
    expect(calls).toBe(2);
  });

  it('gives up on repeated failures with an error that says where and why', async () => {
    answers = Array(3).fill(() => new HttpResponse('boom', { status: 500 }));
    const error = await failure(client().config());
    expect(error).toMatchObject({ code: 'config_unavailable', status: 500, url: `${API}/v1/widgets/acme/config` });
    expect(error.message).toBe(`Could not load the configuration of widget "acme" from ${API}/v1/widgets/acme/config: HTTP 500`);
    expect(calls).toBe(3);
  });

  it('names the widget as unknown on a 404, without retrying', async () => {
    answers = [() => HttpResponse.json({ error: { code: 'not_found', message: 'Unknown widget "acme"' } }, { status: 404 })];
    const error = await failure(client().config());
    expect(error.message).toMatch(/HTTP 404 \(unknown widget\)$/);
    expect(calls).toBe(1);
  });

  it('refuses malformed JSON, once (the same bytes would come again)', async () => {
    answers = [() => new HttpResponse('{"id":', { headers: { 'Content-Type': 'application/json' } })];
    const error = await failure(client().config());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`The configuration of widget "acme" from ${API}/v1/widgets/acme/config is not valid JSON`);
    expect(calls).toBe(1);
  });
});
