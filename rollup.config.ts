import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { builtinModules } from 'node:module';
import { dirname, resolve as resolvePath } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import type { Plugin, RollupOptions } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string; dependencies: Record<string, string> };
const jsx = { jsx: 'automatic', jsxImportSource: 'preact' } as const;
const external = (id: string) =>
  id.startsWith('node:') || builtinModules.includes(id) || Object.keys(pkg.dependencies).some((dep) => id === dep || id.startsWith(`${dep}/`));

/**
 * nanostores ≥ 1.5 keeps its batching epoch in `globalThis.nanostoresGlobal`, created at import. The script-tag
 * build promises one global (`window.omniwidget`), and it carries its own private copy of nanostores anyway, so
 * there the epoch is a plain module-level object. Fails the build if nanostores changes that line.
 */
const privateNanostoresEpoch: Plugin = {
  name: 'private-nanostores-epoch',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('/nanostores/atom/index.js')) return null;
    const patched = code.replace('(globalThis.nanostoresGlobal ||= { epoch: 0 })', '{ epoch: 0 }');
    if (patched === code) this.error('nanostores no longer declares globalThis.nanostoresGlobal as expected: review privateNanostoresEpoch');
    return { code: patched, map: null };
  },
};

/**
 * `import css from './panel.css'`: the stylesheet as its minified text, for a shadow root's constructable stylesheet.
 * Resolved to an id that does not end in `.css`, so Vite's own CSS handling (Vitest uses this plugin too) leaves it be.
 */
export const cssText = (): Plugin => ({
  name: 'css-text',
  enforce: 'pre',
  resolveId(source, importer) {
    if (!source.endsWith('.css') || !source.startsWith('.') || !importer || importer.startsWith('\0')) return null;
    return `\0css-text:${resolvePath(dirname(importer), source)}.js`;
  },
  load(id) {
    if (!id.startsWith('\0css-text:')) return null;
    const file = id.slice('\0css-text:'.length, -'.js'.length);
    this.addWatchFile(file);
    const css = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{}:;,>])\s*/g, '$1')
      .replace(/;}/g, '}')
      .trim();
    return `export default ${JSON.stringify(css)};`;
  },
}) as Plugin;

/** The later chunks' file names by entry module, once built: the first chunk imports them by these names. */
const widgetChunkFiles = new Map<string, string>();
const recordChunkFiles: Plugin = {
  name: 'record-chunk-files',
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) if (file.type === 'chunk' && file.isEntry && file.facadeModuleId) widgetChunkFiles.set(file.facadeModuleId, file.fileName);
  },
};

/**
 * In the first chunk — a classic script — `import('../panel/index.ts')` becomes `import(chunkUrl('panel-<hash>.js'))`:
 * the chunk beside the script, by an absolute URL. (A relative `import()` in a classic script loaded from another
 * origin resolves against about:blank, not against the script.) Rewritten where the imports are, features/chunks.ts.
 */
const chunksBesideScript: Plugin = {
  name: 'chunks-beside-script',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('/src/widget/features/chunks.ts')) return null;
    let rewritten = 0;
    const out = code.replace(/import\((['"])\.\.\/(\w+)\/index\.ts\1\)/g, (_match, _quote, folder: string) => {
      const file = widgetChunkFiles.get(resolvePath(`src/widget/${folder}/index.ts`));
      if (!file) this.error(`src/widget/${folder}/index.ts was not built as a chunk: build the chunks before the first chunk`);
      rewritten++;
      return `import(chunkUrl(${JSON.stringify(file)}))`;
    });
    if (!rewritten) this.error('features/chunks.ts no longer imports its chunks as expected: review chunksBesideScript');
    return { code: out, map: null };
  },
};

/**
 * The libraries the later chunks share (preact, valibot) and two crumbs go in one `shared` chunk. Only modules
 * without imports of the first chunk's: a manual chunk takes its modules' dependencies with it.
 */
const sharedChunk = (id: string) =>
  /\/node_modules\/(preact|valibot|nanostores)\/|\/src\/widget\/random-id\.ts$/.test(id.replaceAll('\\', '/')) ? 'shared' : undefined;

/** A chunk named after its folder (`panel`, `email`, `chat`), the contract's schemas `schema`, others as Rollup does. */
const chunkName = (chunk: { facadeModuleId: string | null; moduleIds: readonly string[]; name: string }) => {
  const folder = chunk.facadeModuleId?.replaceAll('\\', '/').match(/\/widget\/(\w+)\/index\.ts$/)?.[1];
  const schema = chunk.moduleIds.some((id) => id.replaceAll('\\', '/').endsWith('/src/contract/config.ts'));
  return `${folder ?? (schema ? 'schema' : chunk.name)}-[hash].js`;
};

/** `omniwidget.js.br` and `.gz` beside the bundle, at maximum compression: the server sends them as they are. */
const precompress: Plugin = {
  name: 'precompress',
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type !== 'chunk') continue;
      this.emitFile({ type: 'asset', fileName: `${file.fileName}.br`, source: brotliCompressSync(file.code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) });
      this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: gzipSync(file.code, { level: 9 }) });
    }
  },
};

/** The desk's stylesheet beside its bundle, comments and indentation gone. */
const deskStylesheet: Plugin = {
  name: 'desk-stylesheet',
  buildStart() {
    this.addWatchFile('src/desk/desk.css');
  },
  generateBundle() {
    const css = readFileSync('src/desk/desk.css', 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s*\n\s*/g, '\n')
      .trim();
    this.emitFile({ type: 'asset', fileName: 'desk.css', source: css });
  },
};

const config: RollupOptions[] = [
  // The widget's later chunks, as ES modules in dist/omniwidget/ (#11): the panel, the e-mail form, the chat. Hashed
  // names: cached for good, and a release never mixes old and new chunks. Built first: the script needs their names.
  {
    input: { panel: 'src/widget/panel/index.ts', email: 'src/widget/email/index.ts', chat: 'src/widget/chat/index.ts' },
    output: { dir: 'dist/omniwidget', format: 'es', entryFileNames: '[name]-[hash].js', chunkFileNames: chunkName, manualChunks: sharedChunk, sourcemap: true, generatedCode: 'es2015' },
    plugins: [
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
      privateNanostoresEpoch,
      cssText(),
      esbuild({ ...jsx, target: 'es2022' }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
      recordChunkFiles,
      precompress,
    ],
  },
  // The script tag's file: the first chunk (the launcher) as one classic script, no eval, no inline styles; it
  // imports the later chunks from beside itself when they are needed.
  {
    input: 'src/widget/script-tag.ts',
    output: {
      file: 'dist/omniwidget.js',
      format: 'iife',
      sourcemap: true,
      generatedCode: 'es2015',
    },
    plugins: [
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), __OMNIWIDGET_VERSION__: JSON.stringify(pkg.version) },
      }),
      nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
      privateNanostoresEpoch,
      cssText(),
      chunksBesideScript,
      esbuild({ ...jsx, target: 'es2022' }),
      terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } }),
      precompress,
    ],
  },
  // The agent desk: its own bundle (never part of the widget's budget); the desk itself is a chunk loaded after sign-in.
  {
    input: { desk: 'src/desk/main.tsx' },
    output: { dir: 'dist/desk', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    plugins: [
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
      esbuild({ ...jsx, target: 'es2022' }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
      deskStylesheet,
      precompress,
    ],
  },
  // npm: ESM, dependencies left to the application's bundler, nothing executed on import. nanostores is the
  // exception: a private copy, so that importing the SDK creates no global (#11).
  {
    input: { index: 'src/widget/index.ts', contract: 'src/contract/index.ts' },
    external: (id: string) => id !== 'nanostores' && !id.startsWith('nanostores/') && external(id),
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: (chunk) => `chunks/${chunkName(chunk)}`, sourcemap: true },
    plugins: [nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }), privateNanostoresEpoch, cssText(), esbuild({ ...jsx, target: 'es2022' })],
  },
  // The helpdesk API for Node, with its command line and the storage writer thread. Chunks sit beside the entries,
  // so `new URL('./storage-writer.js', import.meta.url)` finds the writer from whichever chunk asks.
  {
    input: { index: 'src/server/index.ts', cli: 'src/server/cli.ts', 'storage-writer': 'src/server/storage/writer/worker.ts' },
    external,
    output: { dir: 'dist/server', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    plugins: [replace({ preventAssignment: true, values: { __OMNIWIDGET_VERSION__: JSON.stringify(pkg.version) } }), nodeResolve({ extensions: ['.ts'] }), esbuild({ target: 'node20' })],
  },
  {
    input: { index: 'src/widget/index.ts', contract: 'src/contract/index.ts', 'server/index': 'src/server/index.ts' },
    external,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    plugins: [dts({ tsconfig: 'tsconfig.json' })],
  },
];

export default config;
