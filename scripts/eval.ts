import { createAdvisor } from '../activities/advisor/engine';
import { evaluateAdvisor, type EvalReport } from '../activities/advisor/evaluate';
import { loadConfig } from '../config';

// npm run eval [-- --json] [-- --offline]: runs the advisor over every simulated
// scenario and prints, per scenario, whether the diagnosis, the action and the
// escalation were right, how many "healthy" answers were false and how many fixes
// unjustified, and the totals and overall accuracy. Claude answers when
// ANTHROPIC_API_KEY is set (nothing is cached: no database), the offline engine otherwise.

const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const mark = (ok: boolean) => (ok ? 'ok' : 'WRONG');

function table(report: EvalReport, engine: string): string {
  const rows = report.scenarios.map((s) => [
    s.scenario,
    `${mark(s.diagnosisOk)} (${s.actual.category ?? '-'}/${s.expected.category})`,
    `${mark(s.actionOk)} (${s.actual.action ?? '-'}/${s.expected.action ?? '-'})`,
    `${mark(s.escalationOk)} (${s.actual.escalated === null ? '-' : s.actual.escalated ? 'escalated' : 'resolved'})`,
    String(s.falseHealthy),
    String(s.unjustifiedFixes),
    s.correct ? 'yes' : `no${s.error ? `: ${s.error}` : ''}`,
    [...new Set(s.engines)].join(','),
  ]);
  const head = [
    'scenario',
    'diagnosis',
    'action',
    'escalation',
    'false healthy',
    'unjustified fixes',
    'correct',
    'engine',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `Advisor evaluation (${engine})`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `diagnosis ${pct(report.diagnosisAccuracy)}, action ${pct(report.actionAccuracy)}, escalation ${pct(report.escalationAccuracy)}`,
    `False "healthy" answers: ${report.falseHealthy}, unjustified fixes: ${report.unjustifiedFixes}`,
    `Overall accuracy: ${pct(report.accuracy)} (${report.scenarios.filter((s) => s.correct).length}/${report.scenarios.length})`,
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const claude = args.includes('--offline') ? undefined : loadConfig().advisor.anthropic;
  const engine = claude ? `claude ${claude.model}, offline fallback` : 'offline expert engine';
  const report = await evaluateAdvisor(createAdvisor({ claude }));
  if (args.includes('--json')) {
    console.log(JSON.stringify({ engine, ...report }));
  } else {
    console.log(table(report, engine));
  }
  process.exitCode = report.accuracy === 1 ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
