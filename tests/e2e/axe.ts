import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * axe-core on the whole page, or on what `include` selects: each violation as `rule: targets`. Injected as an
 * inline script, which the pages' strict CSP rightly refuses: the context must be made with `bypassCSP`. Audits what
 * a person sees once things stand still: a panel fading in has, for a moment, less contrast than it will have.
 */
export async function audit(page: Page, include?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  await page.evaluate(async (include) => {
    const roots = include ? [...document.querySelectorAll(include)].flatMap((element) => [element, ...(element.shadowRoot ? [element.shadowRoot] : [])]) : [document];
    const animations = roots.flatMap((root) => ('getAnimations' in root ? (root as Element).getAnimations({ subtree: true }) : []));
    await Promise.all(animations.filter((animation) => animation.effect?.getTiming().iterations !== Infinity).map((animation) => animation.finished.catch(() => {})));
  }, include);
  return page.evaluate(
    async ({ include, rules }) => {
      const result = await (window as any).axe.run(include ? { include: [[include]] } : document, { runOnly: rules });
      return result.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    },
    { include, rules: RULES },
  );
}
