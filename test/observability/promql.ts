import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// Helpers for the observability tests: finding promtool, and reading the metric names out of
// PromQL expressions and the rule file (the project has no YAML or PromQL parser).

export const root = path.resolve(__dirname, '../..');
export const prometheusDir = path.join(root, 'observability/prometheus');
export const grafanaDir = path.join(root, 'observability/grafana');

export const PROMTOOL_MISSING =
  'promtool is not on PATH: `npm test` installs it as root (Debian package prometheus)';
export const promtoolInstalled = spawnSync('promtool', ['--version']).error === undefined;

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names an expression reads: identifiers left once strings, label matchers, ranges,
 * offsets and grouping label lists are taken out, other than functions, aggregations and
 * keywords.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const token = /(\d[\d.]*(?:e[+-]?\d+)?)|([A-Za-z_:][\w:]*)(\s*\()?/gi;
  for (const [, number, name, call] of bare.matchAll(token)) {
    if (number || !name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** `expr:` values of a Prometheus rule file, plain or as a YAML block scalar (`|`, `>-`). */
export function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, i) => {
    const match = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!match) return;
    const [, indent, value] = match as unknown as [string, string, string];
    if (!/^[|>][-+]?$/.test(value)) {
      exprs.push(value.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1'));
      return;
    }
    const block: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() && next.length - next.trimStart().length <= indent.length) break;
      block.push(next.trim());
    }
    exprs.push(block.join(' ').trim());
  });
  return exprs;
}

/** Names after `key:` anywhere in a YAML file (e.g. every `alert:` or `record:`). */
export function yamlValues(yaml: string, key: string): string[] {
  return [...yaml.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(\\S+)\\s*$`, 'gm'))].map(
    ([, value]) => value!.replace(/^'(.*)'$/, '$1'),
  );
}

export const readRepoFile = (relative: string) => readFileSync(path.join(root, relative), 'utf8');
