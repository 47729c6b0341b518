import { OmniwidgetError } from '../errors.ts';

/** Where the script tag's chunks are: the script's own URL (set by script-tag.ts), which they sit beside. */
let chunkBase = '';
export const setChunkBase = (scriptUrl: string): void => void (chunkBase = scriptUrl);
const asked = new Map<string, number>();
/**
 * A chunk's URL in the script tag's build (rollup.config.ts rewrites the imports below to use it). Asked again (its
 * load failed), a new query: browsers remember a failed module by its URL and would fail again without fetching.
 */
export const chunkUrl = (file: string): string => {
  const times = asked.get(file) ?? 0;
  asked.set(file, times + 1);
  return new URL(`omniwidget/${file}${times ? `?retry=${times}` : ''}`, chunkBase || document.baseURI).href;
};

/**
 * The widget's code beyond the launcher, in chunks loaded when needed (#11): from the same origin and directory
 * as the script (the script tag's build), or by the application's bundler (npm). Each `import()` names its file
 * here, statically, so both builds can find and split it.
 */
const chunks = {
  /** The panel (picker, chat screen), its stylesheet, and the full configuration schema. */
  panel: () => import('../panel/index.ts'),
  /** The e-mail form and its outbox. */
  email: () => import('../email/index.ts'),
  /** The Chaport adapter. */
  chat: () => import('../chat/index.ts'),
};

export type ChunkName = keyof typeof chunks;
export type Chunk<N extends ChunkName> = Awaited<ReturnType<(typeof chunks)[N]>>;
export type LoadChunk = <N extends ChunkName>(name: N) => Promise<Chunk<N>>;

/** Loads each chunk once; a failed load (offline, a deploy in between) is tried afresh next time. */
export function chunkLoader(): LoadChunk {
  const loading: { [N in ChunkName]?: Promise<Chunk<N>> } = {};
  return <N extends ChunkName>(name: N) =>
    (loading[name] ??= (chunks[name]() as Promise<Chunk<N>>).catch((error: unknown) => {
      delete loading[name];
      throw new OmniwidgetError('load_failed', `Could not load the widget's ${name} code: ${(error as Error)?.message ?? error}`, { cause: error });
    }) as never) as Promise<Chunk<N>>;
}
