import { defineConfig } from 'vitest/config';
import { cssText } from '../rollup.config.ts';

export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  // The widget imports its stylesheets as text, as the build does.
  plugins: [cssText()],
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'demo/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 15_000,
    // A real PostgreSQL server, started once: the storage tests run against it as well as against SQLite.
    globalSetup: ['tests/setup/postgres.ts'],
  },
});
