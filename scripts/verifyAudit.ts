import { loadConfig } from '../config';
import { verifyChain } from '../store/audit';
import { connectStore, disconnectStore } from '../store/connection';

// `npm run audit:verify -- <caseId> [...]`: checks each case's audit chain in MongoDB.

async function main(caseIds: string[]): Promise<number> {
  if (caseIds.length === 0) {
    console.error('usage: npm run audit:verify -- <caseId> [<caseId> ...]');
    return 2;
  }
  await connectStore(loadConfig().mongo.url);
  let bad = 0;
  for (const caseId of caseIds) {
    const verdict = await verifyChain(caseId);
    if (verdict.valid) console.log(`${caseId}: ok (${verdict.entries} entries)`);
    else {
      bad += 1;
      const where = verdict.brokenAt
        ? `entry ${verdict.brokenAt.seq}: ${verdict.brokenAt.reason}`
        : 'no entries';
      console.log(`${caseId}: BROKEN at ${where}`);
    }
  }
  await disconnectStore();
  return bad === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
