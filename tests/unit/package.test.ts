import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The published package, as built in dist/: its public surface is pinned here, importing it runs nothing,
 * and it is safe to import (and call) during server-side rendering.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (!existsSync('dist/index.js')) throw new Error('dist/ is missing: run `npm run build` before these tests (npm test does)');
/** The built file, imported by URL: it is the artefact under test, not the sources (and need not exist to type-check). */
const built = (file: string) => import(pathToFileURL(file).href);

describe('the npm package', () => {
  it('exports exactly the public API', async () => {
    const widget = await built('dist/index.js');
    expect(Object.keys(widget).sort()).toEqual(['ChatError', 'ConfigError', 'MessageError', 'OmniwidgetError', 'OptionsError', 'createWidget']);
    const server = await built('dist/server/index.js');
    expect(Object.keys(server).sort()).toEqual([
      'ChaportApiError',
      'CommandError',
      'ConfigFileError',
      'DEFAULT_LIMITS',
      'DEFAULT_PUBLIC_WRITE_LIMITS',
      'StorageOpenError',
      'StorageUnavailableError',
      'anyOperatorOnline',
      'configFileSchema',
      'createApi',
      'createLogger',
      'createPresenceService',
      'fileConfigSource',
      'listen',
      'loadConfigFile',
      'openDatabase',
      'parseConfigFile',
      'silentLogger',
      'startServer',
      'staticConfigSource',
    ]);
    const contract = await built('dist/contract.js');
    expect(Object.keys(contract)).toEqual(expect.arrayContaining(['widgetConfigSchema', 'messageRequestSchema', 'presenceResponseSchema', 'apiPaths', 'DEFAULT_TEXTS']));
  });

  it('builds before it is packed, so `npm pack` never ships an empty package', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.files).toEqual(['dist']);
  });

  it('declares its entries, types and side effects', () => {
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./server'].types).toBe('./dist/server/index.d.ts');
    for (const entry of Object.values(pkg.exports) as ({ types?: string; default?: string } | string)[]) {
      for (const file of typeof entry === 'string' ? [entry] : Object.values(entry)) expect(existsSync(file), file).toBe(true);
    }
    // Only the script-tag bundle has an effect when loaded; the ESM entries are pure.
    expect(pkg.sideEffects).toEqual(['./dist/omniwidget.js']);
    const types = readFileSync('dist/index.d.ts', 'utf8');
    for (const name of ['createWidget', 'WidgetOptions', 'WidgetEvents', 'VisitorData', 'Widget', 'OmniwidgetError']) expect(types).toContain(name);
  });

  it('is safe to import and call during server-side rendering: no globals, no DOM, an error event instead of a throw', async () => {
    const before = new Set(Object.keys(globalThis));
    const { createWidget } = await built('dist/index.js');
    const widget = createWidget({ widgetId: 'acme', apiUrl: 'https://help.acme.com' });
    const error = await new Promise<Error & { code: string }>((resolve) => widget.on('error', resolve));
    expect(error.code).toBe('unsupported_environment');
    expect(() => (widget.open(), widget.identify({ name: 'x' }), widget.destroy())).not.toThrow();
    expect(Object.keys(globalThis).filter((key) => !before.has(key))).toEqual([]);
  });

  it('creates no global on import, not even nanostores\' `nanostoresGlobal` (a private copy, #11)', () => {
    // A fresh process: the tests' own imports of nanostores must not blur the answer.
    const probe = `await import(${JSON.stringify(pathToFileURL('dist/index.js').href)}); console.log(JSON.stringify(Object.keys(globalThis).filter((key) => key.includes('nanostores'))))`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([]);
  });

  it('ships the script tag as one classic script without eval, which loads its later chunks by absolute URL from beside itself', () => {
    const script = readFileSync('dist/omniwidget.js', 'utf8');
    expect(script.startsWith('!function(){') || script.startsWith('(function(){') || script.startsWith('(()=>{')).toBe(true);
    expect(script).not.toMatch(/\beval\(|new Function\(|^import |^export /m);
    expect(script).not.toContain('nanostoresGlobal');
    const chunks = [...script.matchAll(/import\(\w+\("([\w-]+\.js)"\)\)/g)].map((match) => match[1]!);
    expect(chunks.map((file) => file.replace(/-[\w-]{8}\.js$/, '')).sort()).toEqual(['chat', 'email', 'panel']);
    for (const file of readdirSync('dist/omniwidget').filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(`dist/omniwidget/${file}`, 'utf8');
      expect(code, file).not.toMatch(/\beval\(|new Function\(/);
      expect(code, file).not.toContain('nanostoresGlobal');
    }
    for (const file of chunks) expect(existsSync(`dist/omniwidget/${file}`), file).toBe(true);
  });
});
