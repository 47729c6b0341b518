/**
 * `npm run size` (part of `npm test`): size budgets per entry, on the built files, gzip level 9.
 * Also prints the figures as ratios against a baseline measured in the same run: the required libraries alone
 * (preact, nanostores, ky, valibot), bundled and minified the same way — what no widget built on them can undercut.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { minify } from 'terser';
import { rollup } from 'rollup';

const KB = 1000;
const deskChunk = readdirSync('dist/desk').find((name) => /^desk-[\w-]+\.js$/.test(name));
const settingsChunk = readdirSync('dist/desk').find((name) => /^settings-[\w-]+\.js$/.test(name));
const budgets = [
  { file: 'dist/omniwidget.js', label: 'script tag: everything inlined, as visitors download it', budget: 24 * KB, minify: false },
  { file: 'dist/index.js', label: "npm entry: minified as an app's bundler would, dependencies excluded", budget: 12 * KB, minify: true },
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
for (const { file, label, budget, minify: shouldMinify } of budgets) {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    console.error(`${file} is missing: run npm run build`);
    process.exit(1);
  }
  const size = gzip(shouldMinify ? (await minify(code, { module: true, compress: { passes: 2 } })).code! : code);
  const over = size > budget;
  failed ||= over;
  console.log(
    `${over ? 'OVER ' : 'ok   '} ${file.padEnd(28)} ${(size / KB).toFixed(2)} KB gzip of ${(budget / KB).toFixed(0)} KB budget ` +
      `(${((size / budget) * 100).toFixed(0)}% of budget, ${(size / baseline).toFixed(2)}× the libraries baseline) — ${label}`,
  );
}
// No eval in any form: the bundle must run under a CSP without 'unsafe-eval'.
const script = readFileSync('dist/omniwidget.js', 'utf8');
if (/\beval\(|new Function\(/.test(script)) {
  console.error('dist/omniwidget.js contains eval or new Function');
  failed = true;
}
process.exit(failed ? 1 : 0);
