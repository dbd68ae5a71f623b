import { parseArgs } from 'node:util';
import { formatFootprint, measureAgentFootprint } from './agentFootprint';
import { formatCaseThroughput, measureCaseThroughput } from './caseThroughput';

// `npm run bench -- [flags]`: measurements against their targets, one section
// each. Progress goes to stderr; with --json, stdout is one JSON object per
// section. Exits 1 when a target is missed.
//
//   --cases N        N concurrent support cases end to end, and the baseline workflow
//   --footprint      the idle agent's memory and CPU (--seconds, default 30)
//   --json           one JSON object per section on stdout
// No section flag: the default set (--cases 20 --footprint).

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    cases: { type: 'string' },
    footprint: { type: 'boolean', default: false },
  },
});

const chosen = values.cases !== undefined || values.footprint;
const number = (value: string | undefined, fallback: number) => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Not a positive whole number: ${value}`);
  return n;
};

interface Section {
  run(): Promise<{ ok: boolean }>;
  format(result: never): string;
}

const sections: Section[] = [];
if (!chosen || values.cases !== undefined) {
  sections.push({
    run: () => measureCaseThroughput({ cases: number(values.cases, 20) }),
    format: formatCaseThroughput,
  });
}
if (!chosen || values.footprint) {
  sections.push({
    run: () => measureAgentFootprint({ seconds: number(values.seconds, 30) }),
    format: formatFootprint,
  });
}

async function main() {
  let allOk = true;
  for (const section of sections) {
    const result = await section.run();
    allOk &&= result.ok;
    console.log(values.json ? JSON.stringify(result) : section.format(result as never));
  }
  process.exit(allOk ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(2);
});
