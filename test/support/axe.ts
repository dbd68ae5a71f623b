/// <reference lib="dom" />
import path from 'node:path';
import type { AxeResults, ImpactValue } from 'axe-core';
import type { Page } from 'playwright-core';

// axe-core in a real page: the WCAG 2 A and AA rules and axe's best practices, with every
// violation of the impacts that fail the build listed so a reader can find and fix it.

const AXE_SCRIPT = path.resolve(__dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
/** Impacts that fail the check: everything but "minor". */
export const FAILING_IMPACTS: ImpactValue[] = ['critical', 'serious', 'moderate'];

export interface AxeViolation {
  rule: string;
  impact: ImpactValue;
  help: string;
  helpUrl: string;
  /** The offending elements: their selector and the start of their HTML. */
  nodes: string[];
}

/** Runs axe over the whole page as it stands and returns the violations that fail the check. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate(
    (tags) =>
      (
        window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<AxeResults> } }
      ).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  return results.violations
    .filter((v) => v.impact && FAILING_IMPACTS.includes(v.impact))
    .map((v) => ({
      rule: v.id,
      impact: v.impact!,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.html.slice(0, 120)}`),
    }));
}

/** Violations as lines a person reads in a failed test's output. */
export function describeViolations(where: string, violations: AxeViolation[]): string[] {
  return violations.map(
    (v) =>
      `${where}: [${v.impact}] ${v.rule}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n}`).join('\n')}`,
  );
}
