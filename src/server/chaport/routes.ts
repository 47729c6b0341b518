import { Hono } from 'hono';
import type { ConfigSource } from '../config/source.ts';
import type { AuthEnv } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import type { ChaportIntegration } from './integration.ts';

/** `/v1/integrations/chaport` (admins): the connection's state, and Chaport's operators for the mapping. */
export function integrationRoutes({ config, chaport }: { config: ConfigSource; chaport?: ChaportIntegration }): Hono<AuthEnv> {
  const api = new Hono<AuthEnv>();
  api.get('/chaport', async (c) => {
    const helpdesk = config.helpdesk();
    if (!helpdesk.chaport || !chaport) return c.json({ connected: false });
    return c.json({ connected: true, region: helpdesk.chaport.region, settings: helpdesk.chaport.settings, status: await chaport.status() });
  });
  // "Connect" in the settings: check the token and subscribe now, rather than at the next hourly check.
  api.post('/chaport/connect', async (c) => {
    const helpdesk = config.helpdesk();
    if (!helpdesk.chaport || !chaport) throw new ApiError(404, 'not_found', 'No Chaport integration is configured: add it in the settings and save first');
    const status = await chaport.connect();
    return c.json({ connected: true, region: helpdesk.chaport.region, settings: helpdesk.chaport.settings, status });
  });
  api.get('/chaport/operators', async (c) => {
    if (!config.helpdesk().chaport || !chaport) throw new ApiError(404, 'not_found', 'No Chaport integration is configured');
    return c.json({ operators: await chaport.operators() });
  });
  return api;
}
