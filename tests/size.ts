/**
 * `npm run size` (part of `npm test`): size budgets per entry, on the built files, gzip level 9.
 * Also prints the figures as ratios against a baseline measured in the same run: the required libraries alone
 * (preact, nanostores, ky, valibot), bundled and minified the same way — what no widget built on them can undercut.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { minify } from 'terser';
import { rollup } from 'rollup';

const KB = 1000;
const deskChunk = readdirSync('dist/desk').find((name) => /^desk-[\w-]+\.js$/.test(name));
const settingsChunk = readdirSync('dist/desk').find((name) => /^settings-[\w-]+\.js$/.test(name));
/** The script tag's chunks in dist/omniwidget/, by name: `core-<hash>.js` → `core`. */
const widgetFiles = readdirSync('dist/omniwidget').filter((name) => name.endsWith('.js'));
const widgetChunks = new Map(widgetFiles.map((name) => [name.replace(/-[\w-]{8}\.js$/, ''), `dist/omniwidget/${name}`]));
if (widgetChunks.size !== widgetFiles.length) {
  console.error(`dist/omniwidget: two chunks share a name, so one would escape its budget: ${widgetFiles.join(', ')}`);
  process.exitCode = 1;
}
const chunk = (name: string) => widgetChunks.get(name) ?? `dist/omniwidget/${name}-<hash>.js`;
const budgets = [
  // The script tag (#11): before any interaction a page loads the script — the first chunk — and nothing else; the
  // rest comes in chunks when needed.
  { file: 'dist/omniwidget.js', label: 'script tag: the first chunk — the launcher, ky, nanostores, presence; all a page loads before any interaction', budget: 13 * KB, minify: false },
  { file: chunk('shared'), label: 'script tag: preact, valibot and nanostores, shared by the later chunks', budget: 7.5 * KB, minify: false },
  { file: chunk('schema'), label: "script tag: the contract's schemas (and the panel's icons), shared by the panel and the form", budget: 3 * KB, minify: false },
  { file: chunk('errors'), label: 'script tag: the error classes and small helpers, shared by the later chunks', budget: 0.75 * KB, minify: false },
  { file: chunk('panel'), label: 'script tag: the panel — picker, chat screen, its stylesheet', budget: 4.75 * KB, minify: false },
  { file: chunk('email'), label: 'script tag: the e-mail form and its outbox', budget: 3 * KB, minify: false },
  { file: chunk('chat'), label: 'script tag: the Chaport adapter', budget: 2.25 * KB, minify: false },
  { file: 'dist/index.js', label: "npm entry and the chunks it imports at once (what an app ships before interaction): minified as an app's bundler would, dependencies excluded", budget: 9 * KB, minify: true, followImports: true },
  // The desk is for agents, not visitors: budgets that keep it quick on a phone, not part of the widget's.
  { file: 'dist/desk/desk.js', label: 'desk: what loads before sign-in (preact, nanostores, the form, shared code)', budget: 9 * KB, minify: false },
  { file: `dist/desk/${deskChunk ?? 'desk-<hash>.js'}`, label: 'desk: the desk itself, loaded after sign-in', budget: 10 * KB, minify: false },
  { file: `dist/desk/${settingsChunk ?? 'settings-<hash>.js'}`, label: 'desk: the settings, loaded when an admin opens them', budget: 17 * KB, minify: false },
];
const gzip = (code: string | Buffer) => gzipSync(code, { level: 9 }).length;

async function librariesBaseline(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'omniwidget-size-'));
  try {
    const entry = join(dir, 'baseline.js');
    writeFileSync(
      entry,
      "import { render, h } from 'preact'; import { atom } from 'nanostores'; import ky from 'ky'; import * as v from 'valibot';\n" +
        'window.x = [render, h, atom, ky.create, v.object, v.string, v.safeParse, v.pipe, v.variant, v.optional];',
    );
    const bundle = await rollup({
      input: entry,
      plugins: [
        replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
        nodeResolve({ browser: true, rootDir: process.cwd(), modulePaths: [join(process.cwd(), 'node_modules')] }),
        terser({ ecma: 2020, compress: { passes: 2 } }),
      ],
    });
    const { output } = await bundle.generate({ format: 'iife' });
    return gzip(output[0].code);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const baseline = await librariesBaseline();
let failed = false;
console.log(`baseline: required libraries alone ${(baseline / KB).toFixed(2)} KB gzip`);
/** A file and the chunks it imports statically, recursively (not those it loads with `import()`): what runs first. */
function withStaticImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const imported = [...code.matchAll(/^(?:import|export)\b[^'"]*?['"](\.[^'"]+)['"]/gm)].map((match) => join(dirname(file), match[1]!));
  return [file, ...imported.flatMap((next) => withStaticImports(next, seen))];
}

for (const { file, label, budget, minify: shouldMinify, followImports } of budgets as ((typeof budgets)[number] & { followImports?: boolean })[]) {
  let files: string[];
  try {
    files = followImports ? withStaticImports(file) : [file];
  } catch {
    console.error(`${file} is missing: run npm run build`);
    process.exit(1);
  }
  let size = 0;
  for (const part of files) {
    const code = readFileSync(part, 'utf8');
    size += gzip(shouldMinify ? (await minify(code, { module: true, compress: { passes: 2 } })).code! : code);
  }
  const over = size > budget;
  failed ||= over;
  console.log(
    `${over ? 'OVER ' : 'ok   '} ${file.padEnd(28)} ${(size / KB).toFixed(2)} KB gzip of ${(budget / KB).toFixed(1)} KB budget ` +
      `(${((size / budget) * 100).toFixed(0)}% of budget, ${(size / baseline).toFixed(2)}× the libraries baseline) — ${label}`,
  );
}
// Before any interaction a page loads the script and nothing else (the page benchmark checks the same in a browser):
// within the goal, and with no static import that would bring more.
const firstChunk = readFileSync('dist/omniwidget.js', 'utf8');
const beforeInteraction = gzip(firstChunk);
const goal = 14 * KB;
failed ||= beforeInteraction > goal || /^import\b|\bimport\s*\{/m.test(firstChunk);
console.log(`${beforeInteraction > goal ? 'OVER ' : 'ok   '} script tag before any interaction: ${(beforeInteraction / KB).toFixed(2)} KB gzip of ${(goal / KB).toFixed(0)} KB (#11)`);
// Every chunk has a budget: a new chunk must be given one.
for (const name of widgetChunks.keys())
  if (!budgets.some((budget) => budget.file === chunk(name))) {
    console.error(`dist/omniwidget: the chunk "${name}" has no size budget in tests/size.ts`);
    failed = true;
  }
// No eval in any form: the bundle must run under a CSP without 'unsafe-eval'.
for (const file of ['dist/omniwidget.js', ...widgetChunks.values()])
  if (/\beval\(|new Function\(/.test(readFileSync(file, 'utf8'))) {
    console.error(`${file} contains eval or new Function`);
    failed = true;
  }
process.exit(failed || process.exitCode ? 1 : 0);
