import type { TestProject } from 'vitest/node';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server URL (superuser): tests create their own databases on it. */
    postgresUrl: string;
  }
}

/** One real PostgreSQL server for the whole unit-test run, unless OMNIWIDGET_TEST_DATABASE_URL names one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: TestPostgres | undefined;
  const url = process.env.OMNIWIDGET_TEST_DATABASE_URL || (server = await startPostgres()).url;
  project.provide('postgresUrl', url);
  return async () => {
    await server?.stop();
  };
}
