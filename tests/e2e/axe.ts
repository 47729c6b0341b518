import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * axe-core on the whole page, or on what `include` selects: each violation as `rule: targets`. Injected as an
 * inline script, which the pages' strict CSP rightly refuses: the context must be made with `bypassCSP`.
 */
export async function audit(page: Page, include?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    async ({ include, rules }) => {
      const result = await (window as any).axe.run(include ? { include: [[include]] } : document, { runOnly: rules });
      return result.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    },
    { include, rules: RULES },
  );
}
