import type { StaffMember } from '../../server/staff/staff.ts';
import { call } from '../api.ts';

/** The settings API (`/v1/settings`, admins), the staff API and the Chaport integration's state, as the pages use them. */

export type ConfigDocument = { widgets: Widget[]; helpdesk?: Record<string, unknown> } & Record<string, unknown>;
export type Widget = Record<string, unknown> & { id: string; channels: Channel[] };
export type Channel = Record<string, unknown> & { id: string; type: string };

export interface Settings {
  version: number | null;
  document: ConfigDocument;
  /** The configuration file the server also reads, if any. */
  file: string | null;
  secrets: { name: string; set: boolean }[];
}

export interface VersionInfo {
  version: number;
  author: string;
  source: 'file' | 'browser' | 'import' | 'rollback';
  note: string | null;
  changes: string[];
  createdAt: string;
}

export interface ChaportState {
  connected: boolean;
  region?: string;
  status?: { ok: boolean; error: string | null; account: string | null; subscribed: string[]; webhookBase: string | null; lastEventAt: string | null; checkedAt: string } | null;
}

export type { StaffMember };

export const settingsApi = {
  get: () => call<Settings>('GET', '/v1/settings'),
  save: (document: ConfigDocument, baseVersion: number | null, note?: string) => call<{ version: number; secrets: Settings['secrets'] }>('PUT', '/v1/settings', { document, baseVersion, ...(note ? { note } : {}) }),
  import: (document: unknown, baseVersion: number | null) => call<{ version: number }>('POST', '/v1/settings/import', { document, baseVersion }),
  versions: () => call<{ versions: VersionInfo[] }>('GET', '/v1/settings/versions'),
  version: (version: number) => call<VersionInfo & { document: ConfigDocument }>('GET', `/v1/settings/versions/${version}`),
  restore: (version: number, baseVersion: number | null) => call<{ version: number }>('POST', `/v1/settings/versions/${version}/restore`, { baseVersion }),
  preview: (widget: Widget, id?: string) => call<{ id: string }>('POST', '/v1/settings/preview', { widget, ...(id ? { id } : {}) }),
  chaport: () => call<ChaportState>('GET', '/v1/integrations/chaport'),
  connect: () => call<ChaportState>('POST', '/v1/integrations/chaport/connect'),
  operators: () => call<{ operators: { id: string; name: string; email?: string | null }[] }>('GET', '/v1/integrations/chaport/operators'),
  staff: () => call<{ staff: StaffMember[] }>('GET', '/v1/staff'),
  addStaff: (person: Record<string, unknown>) => call<{ staff: StaffMember; password?: string }>('POST', '/v1/staff', person),
  updateStaff: (id: string, changes: Record<string, unknown>) => call<StaffMember>('PATCH', `/v1/staff/${encodeURIComponent(id)}`, changes),
};
