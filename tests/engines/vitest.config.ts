import { defineConfig } from 'vitest/config';

/** The widget in Firefox and WebKit as well as Chromium (#12): `npm run test:engines`, under a virtual display for WebKit. */
export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: {
    include: ['tests/engines/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One engine at a time: three browsers at once would crowd two cores.
    fileParallelism: false,
  },
});
