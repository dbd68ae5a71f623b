import { createAdvisor } from '../activities/advisor/engine';
import {
  evaluateAdvisor,
  simulatedCases,
  type EvalReport,
  type ScenarioScore,
} from '../activities/advisor/evaluate';
import { loadConfig } from '../config';
import { labCases } from '../test/lab/recorded';

// npm run eval [-- --json] [-- --offline]: runs the advisor over every simulated
// scenario and every lab scenario (the real agent's measurements of real faults,
// recorded by npm run record-lab), and prints, per scenario, whether the
// diagnosis, the action and the escalation were right, how many "healthy"
// answers were false, how many fixes unjustified, whether the case closed while
// the office PC still failed, and the totals and overall accuracy. Claude answers
// when ANTHROPIC_API_KEY is set (nothing is cached: no database), the offline
// engine otherwise.

const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const mark = (ok: boolean) => (ok ? 'ok' : 'WRONG');

function table(scores: ScenarioScore[]): string[] {
  const rows = scores.map((s) => [
    s.scenario,
    `${mark(s.diagnosisOk)} (${s.actual.category ?? '-'}/${s.expected.category})`,
    `${mark(s.actionOk)} (${s.actual.action ?? '-'}/${s.expected.action ?? '-'})`,
    `${mark(s.escalationOk)} (${s.actual.escalated === null ? '-' : s.actual.escalated ? 'escalated' : 'resolved'})`,
    String(s.falseHealthy),
    String(s.unjustifiedFixes),
    s.closedWhileOfficeFailed ? 'STILL FAILING' : 'ok',
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
    'office PC',
    'correct',
    'engine',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const right = scores.filter((s) => s.correct).length;
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `${right}/${scores.length} right`,
  ];
}

function report(result: EvalReport, engine: string): string {
  const part = (source: ScenarioScore['source'], title: string) => {
    const scores = result.scenarios.filter((s) => s.source === source);
    return scores.length ? ['', title, '', ...table(scores)] : [];
  };
  return [
    `Advisor evaluation (${engine})`,
    ...part('simulated', 'Simulated networks'),
    ...part('lab', "The lab's real faults, as the real agent measured them"),
    '',
    `${result.scenarios.length} scenarios: diagnosis ${pct(result.diagnosisAccuracy)}, action ${pct(result.actionAccuracy)}, escalation ${pct(result.escalationAccuracy)}`,
    `False "healthy" answers: ${result.falseHealthy}, unjustified fixes: ${result.unjustifiedFixes}, cases closed while the office PC still failed: ${result.closedWhileOfficeFailed}`,
    `Overall accuracy: ${pct(result.accuracy)} (${result.scenarios.filter((s) => s.correct).length}/${result.scenarios.length})`,
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const claude = args.includes('--offline') ? undefined : loadConfig().advisor.anthropic;
  const engine = claude ? `claude ${claude.model}, offline fallback` : 'offline expert engine';
  const result = await evaluateAdvisor(createAdvisor({ claude }), [
    ...simulatedCases(),
    ...labCases(),
  ]);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ engine, ...result }));
  } else {
    console.log(report(result, engine));
  }
  process.exitCode = result.accuracy === 1 ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
