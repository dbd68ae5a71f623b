import { setTimeout as wait } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { notificationsOfCase } from '../notifier/records';
import { AuditEntry, Case, Customer, Device, Site, User } from '../store/models';
import { NotificationSettingsDoc } from '../store/notificationSettings';
import { satisfactionOf } from '../store/satisfaction';
import { caseStateQuery } from '../workflows/messages';
import { unsealDeep } from './seal';

// A customer's data, all of it and nobody else's, opened for reading: what it asks for
// under the right of access. Secrets (token hashes) stay out: they are ours, not its data.

/** How long a case's workflow gets to answer for its timeline; the trail is there without it. */
const timelineWaitMs = 5_000;

export async function exportCustomer(temporal: Client, customerId: string) {
  const customer = await Customer.findById(customerId).lean();
  if (!customer) return undefined;
  const [people, sites, devices, cases, settings] = await Promise.all([
    User.find({ customerId }, { tokenHash: 0 }).lean(),
    Site.find({ customerId }).lean(),
    Device.find({ customerId }, { tokenHash: 0 }).lean(),
    Case.find({ customerId }).sort({ createdAt: 1 }).lean(),
    NotificationSettingsDoc.findById(customerId).lean(),
  ]);
  const caseIds = cases.map((c) => c._id);
  const audit = caseIds.length
    ? await AuditEntry.find({ caseId: mongoose.trusted({ $in: caseIds }) })
        .sort({ caseId: 1, seq: 1 })
        .lean()
    : [];
  const exported = await Promise.all(
    cases.map(async (c) => ({
      ...c,
      timeline: await timelineOf(temporal, c.workflowId, c.runId ?? undefined),
      audit: audit.filter((e) => e.caseId === c._id),
      notifications: await notificationsOfCase(c._id),
      satisfaction: await satisfactionOf(c._id),
    })),
  );
  return unsealDeep({
    exportedAt: new Date().toISOString(),
    account: customer,
    people,
    sites,
    boxes: devices,
    cases: exported,
    notificationSettings: settings ?? undefined,
  });
}

async function timelineOf(temporal: Client, workflowId: string, runId: string | undefined) {
  const query = temporal.workflow.getHandle(workflowId, runId).query(caseStateQuery);
  const timeout = wait(timelineWaitMs, undefined, { ref: false });
  const state = await Promise.race([query.catch(() => undefined), timeout]);
  return state?.timeline;
}
