import type { Client } from '@temporalio/client';
import { scenarioByName } from '../../agent/simulator/scenarios';
import { verifyChain } from '../../store/audit';
import { AuditEntry, Case } from '../../store/models';
import { caseWorkflowId } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { readApplied } from '../chaos/agentFleet';

// What must hold for every case of a chaos run, whatever hit it: it ended resolved or
// escalated (in Temporal and in the store alike), no fix reached the network twice, the
// record agrees with the network, and its audit chain is whole (one entry per step, chained).

export interface CaseUnderTest {
  caseId: string;
  deviceId: string;
  scenario: string;
}

/** Checks one case; returns a line for the run's timeline. */
export async function expectCaseSettled(
  client: Client,
  fleetDir: string,
  c: CaseUnderTest,
  seed: number,
): Promise<string> {
  const what = `case ${c.caseId} (${c.scenario}, seed ${seed})`;
  const handle = client.workflow.getHandle<typeof supportCase>(caseWorkflowId(c.deviceId));
  const final = await handle.result();
  expect({ what, status: final.status }).toEqual({
    what,
    status: expect.stringMatching(/^(resolved|escalated)$/),
  });
  expect({ what, stored: (await Case.findById(c.caseId).lean())?.status }).toEqual({
    what,
    stored: final.status,
  });

  const applied = readApplied(fleetDir, c.deviceId).map((a) => a.action);
  expect({ what, applied }).toEqual({ what, applied: [...new Set(applied)] });
  expect({ what, fixes: applied.length <= 1 }).toEqual({ what, fixes: true });
  const entries = await AuditEntry.find({ caseId: c.caseId }).sort({ seq: 1 }).lean();
  const fixesDone = entries.filter((e) => e.actionType === 'fix_done');
  expect({ what, fixesDone: fixesDone.length <= 1 }).toEqual({ what, fixesDone: true });
  // A case that carried its fix out records it, resolved or not.
  if (final.status === 'resolved' || fixesDone.length === 1) {
    expect({ what, applied }).toEqual({ what, applied: final.actionsTaken });
  }

  expect({ what, seqs: entries.map((e) => e.seq) }).toEqual({
    what,
    seqs: final.timeline.map((_, k) => k + 1),
  });
  expect({ what, last: entries.at(-1)?.actionType }).toEqual({
    what,
    last: `case_${final.status}`,
  });
  expect({ what, chain: await verifyChain(c.caseId) }).toMatchObject({
    what,
    chain: { valid: true, entries: final.timeline.length },
  });

  const expected = scenarioByName(c.scenario).expectedStatus;
  const note = final.status === expected ? '' : ` (expected ${expected})`;
  return `${c.scenario}: ${final.status}${note}, fix ${applied.join(', ') || 'none'}`;
}
