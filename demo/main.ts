import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/server/log.ts';
import { findStaffByEmail, hashPassword } from '../src/server/staff/staff.ts';
import { startStack } from './stack.ts';

/**
 * `npm start`: the demo, fully offline. Ports: SITE_PORT (8080), API_PORT (8081), SANDBOX_PORT (8082).
 * With CHAPORT_APP_ID and CHAPORT_API_TOKEN set, the chat and presence use real Chaport instead of the sandbox.
 */
const bundle = fileURLToPath(new URL('../dist/omniwidget.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('dist/omniwidget.js is missing: run `npm run build` (npm start does it for you).');
  process.exit(1);
}

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const { CHAPORT_APP_ID: appId, CHAPORT_API_TOKEN: token } = process.env;
const quiet = process.argv.includes('--quiet');
const stack = await startStack({
  ports: { site: port('SITE_PORT', 8080), api: port('API_PORT', 8081), sandbox: port('SANDBOX_PORT', 8082) },
  database: fileURLToPath(new URL('../.data/demo.sqlite', import.meta.url)),
  configPath: fileURLToPath(new URL('../.data/demo-widgets.json', import.meta.url)),
  presence: { refreshMs: 5000 },
  log: quiet ? undefined : createLogger((line) => process.stdout.write(`  api ${line}\n`)),
  ...(appId && token ? { realChaport: { appId, token } } : {}),
});

// Someone to sign in as at /desk: Anna, an admin who answers as the Chaport operator Anna.
const DESK_LOGIN = { email: 'anna@acme.example', password: 'demo-password' };
if (!(await stack.db.read((q) => findStaffByEmail(q, DESK_LOGIN.email))))
  await stack.db.write('staff.create', {
    email: DESK_LOGIN.email,
    name: 'Anna',
    role: 'admin',
    groups: [],
    channels: ['online_chat', 'email'],
    passwordHash: await hashPassword(DESK_LOGIN.password),
    chaport: appId && token ? { mapping: 'create', operatorId: null } : { mapping: 'operator', operatorId: 'op-anna' },
  });

console.log(`
omniwidget demo is running${appId && token ? ' (real Chaport)' : ' (offline, with the Chaport sandbox)'}

  Demo site         ${stack.site}/
  Agent desk        ${stack.api}/desk   (sign in as ${DESK_LOGIN.email} / ${DESK_LOGIN.password})
  Operator console  ${stack.sandbox}/console
  Helpdesk API      ${stack.api}/v1/widgets/acme/config
  Configuration     ${stack.configPath}

Press Ctrl+C to stop.
`);

const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
