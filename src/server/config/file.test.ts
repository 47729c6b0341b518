import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile, parseConfigFile } from './file.ts';

const chat = { id: 'chat', type: 'chaport', appId: '5c1f0e0d0c0b0a0908070605', display: 'hideWhenOffline', apiUrl: 'http://127.0.0.1:9/api/v1', apiTokenEnv: 'ACME_CHAPORT_TOKEN' };
const file = (channels: unknown[], extra: Record<string, unknown> = {}) => ({ widgets: [{ id: 'acme', allowedOrigins: ['https://acme.example'], channels, ...extra }] });
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigFileError');
}

describe('configuration file', () => {
  it('keeps server-only fields and the token out of the public configuration', () => {
    const registry = parseConfigFile(file([chat]), { ACME_CHAPORT_TOKEN: 'secret-token-123' });
    const widget = registry.get('acme')!;
    expect(widget.json).not.toMatch(/secret-token-123|apiTokenEnv|ACME_CHAPORT_TOKEN|apiUrl|127\.0\.0\.1:9/);
    expect(JSON.parse(widget.json).channels[0]).toEqual({
      id: 'chat',
      type: 'chaport',
      appId: '5c1f0e0d0c0b0a0908070605',
      display: 'hideWhenOffline',
      region: 'com',
      loadTimeoutSeconds: 15,
    });
    expect(widget.chaport.get('chat')).toEqual({ channelId: 'chat', apiUrl: 'http://127.0.0.1:9/api/v1', token: 'secret-token-123' });
  });

  it('defaults the Chaport API by region and the token variable to CHAPORT_API_TOKEN', () => {
    const { apiUrl, apiTokenEnv, ...bare } = chat;
    const registry = parseConfigFile(file([{ ...bare, region: 'ru' }]), { CHAPORT_API_TOKEN: 't' });
    expect(registry.get('acme')!.chaport.get('chat')!.apiUrl).toBe('https://app.chaport.ru/api/v1');
  });

  it('refuses hideWhenOffline without a token, naming the field and the variable', () => {
    expect(errorOf(() => parseConfigFile(file([chat]), {}))).toBe(
      'Invalid configuration:\nwidgets[0].channels[0].display: "hideWhenOffline" needs a Chaport API token in the environment variable ACME_CHAPORT_TOKEN',
    );
  });

  it('names every bad field, including misspelt keys', () => {
    expect(errorOf(() => parseConfigFile(file([{ id: 'tg', type: 'telegram', username: 'acme_support', dispaly: 'always' }]), {}))).toMatch(
      /^Invalid configuration:\nwidgets\[0\]\.channels\[0\]\.dispaly: is not a known key$/,
    );
    expect(errorOf(() => parseConfigFile(file([{ id: 'tg', type: 'telegram', username: '@x' }], { theme: { colour: '#fff' } }), {}))).toBe(
      [
        'Invalid configuration:',
        'widgets[0].theme.colour: is not a known key',
        'widgets[0].channels[0].username: must be a Telegram username (5–32 letters, digits or "_", without "@")',
      ].join('\n'),
    );
    // The same problems one by one, for a form to show each at its field.
    const refused = (() => {
      try {
        parseConfigFile(file([{ id: 'tg', type: 'telegram', username: '@x' }], { theme: { colour: '#fff' } }), {});
      } catch (error) {
        return error as ConfigFileError;
      }
    })();
    expect(refused?.issues).toEqual([
      { field: 'widgets[0].theme.colour', message: 'is not a known key' },
      { field: 'widgets[0].channels[0].username', message: 'must be a Telegram username (5–32 letters, digits or "_", without "@")' },
    ]);
    expect(parseConfigFile({ widgets: [] }, {}).size).toBe(0); // a server set up in the browser starts with none
    expect(errorOf(() => parseConfigFile({}, {}))).toBe('Invalid configuration:\nwidgets: is required');
    const tg = { id: 'tg', type: 'telegram', username: 'acme_support' };
    expect(errorOf(() => parseConfigFile({ widgets: [file([tg]).widgets[0], file([tg]).widgets[0]] }, {}))).toBe(
      'Invalid configuration:\nwidgets[1].id: "acme" is used by another widget',
    );
  });

  it('computes the text colour on the accent (black on light, white on dark) and refuses it in the file', () => {
    const themed = (theme: Record<string, unknown>) => JSON.parse(parseConfigFile(file([{ id: 'tg', type: 'telegram', username: 'acme' }], { theme })).get('acme')!.json).theme;
    expect(themed({})).toEqual({ color: '#1f6feb', position: 'right', textColor: '#fff' });
    expect(themed({ color: '#ffd33d' }).textColor).toBe('#000');
    expect(themed({ color: '#fff' }).textColor).toBe('#000');
    expect(themed({ color: '#000' }).textColor).toBe('#fff');
    expect(errorOf(() => parseConfigFile(file([{ id: 'tg', type: 'telegram', username: 'acme' }], { theme: { textColor: '#000' } })))).toMatch(/widgets\[0\]\.theme\.textColor/);
  });

  it('serves default texts in both languages, with the file\'s overrides', () => {
    const registry = parseConfigFile(file([{ id: 'tg', type: 'telegram', username: 'acme_support' }], { texts: { ru: { title: 'Есть вопрос?' } } }), {});
    const { texts } = registry.get('acme')!.config;
    expect(texts.ru.title).toBe('Есть вопрос?');
    expect(texts.ru.launcher).toBe('Связаться с нами');
    expect(texts.en.title).toBe('How would you like to contact us?');
    expect(errorOf(() => parseConfigFile(file([{ id: 'tg', type: 'telegram', username: 'acme_support' }], { texts: { en: { titel: 'x' } } }), {}))).toBe(
      'Invalid configuration:\nwidgets[0].texts.en.titel: is not a known key',
    );
  });

  it('loads a file and reports unreadable or malformed files by path', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(file([{ id: 'tg', type: 'telegram', username: 'acme_support' }])));
    expect([...loadConfigFile(good, {}).keys()]).toEqual(['acme']);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"widgets": [');
    expect(errorOf(() => loadConfigFile(broken, {}))).toMatch(new RegExp(`^The configuration file ${broken} is not valid JSON`));
    expect(errorOf(() => loadConfigFile(join(dir, 'missing.json'), {}))).toMatch(/^Cannot read the configuration file .*missing\.json/);

    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify(file([{ id: 'wa', type: 'whatsapp', phone: '123' }])));
    expect(errorOf(() => loadConfigFile(invalid, {}))).toBe(
      `Invalid configuration file ${invalid}:\nwidgets[0].channels[0].phone: must be an international number such as +79990001122`,
    );
  });
});
