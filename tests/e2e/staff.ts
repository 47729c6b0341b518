import type { Page } from '@playwright/test';
import type { Stack } from '../../demo/stack.ts';
import { findStaffByEmail, hashPassword, type StaffMember } from '../../src/server/staff/staff.ts';
import { expect } from './fixtures.ts';

/** People of the helpdesk for the browser tests, created in the worker's stack the first time they are needed. */
export interface Person {
  email: string;
  password: string;
  name: string;
  role: StaffMember['role'];
  channels?: StaffMember['channels'];
  chaport: StaffMember['chaport'];
}

export async function ensureStaff(stack: Stack, person: Person): Promise<void> {
  if (await stack.db.read((q) => findStaffByEmail(q, person.email))) return;
  await stack.db.write('staff.create', {
    email: person.email,
    name: person.name,
    role: person.role,
    groups: [],
    channels: person.channels ?? ['online_chat', 'email'],
    passwordHash: await hashPassword(person.password),
    chaport: person.chaport,
  });
}

/** Signs in at /desk (the address may carry a route: `#/settings`) and waits for the live stream. */
export async function signInAs(page: Page, stack: Stack, person: Person, hash = ''): Promise<void> {
  await ensureStaff(stack, person);
  await page.goto(`${stack.api}/desk${hash}`);
  await page.getByLabel('E-mail').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.connection')).toHaveText('Live');
}
