import { parseArgs } from 'node:util';
import { formatFootprint, measureAgentFootprint } from './agentFootprint';

// `npm run bench [-- --json] [-- --seconds N]`: measurements against their
// targets, one section each. Progress goes to stderr; with --json, stdout is
// one JSON object per section. Exits 1 when a target is missed.

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '30' },
  },
});

const sections = [
  {
    run: () => measureAgentFootprint({ seconds: Number(values.seconds) }),
    format: formatFootprint,
  },
];

async function main() {
  let allOk = true;
  for (const section of sections) {
    const result = await section.run();
    allOk &&= result.ok;
    console.log(values.json ? JSON.stringify(result) : section.format(result));
  }
  process.exit(allOk ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(2);
});
