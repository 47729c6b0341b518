/** A stylesheet imported as its minified text (the `cssText` build plugin in rollup.config.ts). */
declare module '*.css' {
  const css: string;
  export default css;
}
