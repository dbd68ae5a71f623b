import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type mongo } from 'mongoose';
import { caseStatuses } from '../contracts/case';
import { CustomerRole, SubscriptionStatus } from '../contracts/tenancy';

// Collections keep the names of the original schema (customers, devices,
// diagnostic_sessions, audit_log); the rest are what the product added.
// Ids are UUID strings so they read the same in MongoDB, Temporal and URLs.

const id = { type: String, default: () => randomUUID() };

const customerSchema = new Schema(
  {
    _id: id,
    businessName: { type: String, required: true },
    primaryPhone: { type: String, required: true, unique: true },
    // Every number the business calls from (primaryPhone first): caller ID finds it by any.
    phones: { type: [String], default: undefined, index: true },
    email: { type: String, required: true },
    subscriptionStatus: { type: String, enum: SubscriptionStatus.options, default: 'active' },
    // The MSP (store/partners.ts) that serves this customer; partners see only their own.
    partnerId: { type: String, index: true },
    // Opt-in: when the Zen box finds a fault on its own, we call this customer.
    callOnAgentFault: { type: Boolean, default: false },
    // The customer's own service levels (contracts/technician.ts SlaSettings); the config's
    // defaults when absent.
    sla: { firstResponseMinutes: Number, resolutionMinutes: Number },
  },
  { timestamps: true, collection: 'customers' },
);
// GET /api/customers pages by business name, ties by _id (api/paging.ts).
customerSchema.index({ businessName: 1, _id: 1 });

const siteSchema = new Schema(
  {
    _id: id,
    customerId: { type: String, required: true, index: true },
    name: { type: String, required: true },
    address: String,
  },
  { timestamps: true, collection: 'sites' },
);

const deviceSchema = new Schema(
  {
    _id: id,
    customerId: { type: String, required: true, index: true },
    siteId: { type: String, required: true },
    deviceId: { type: String, required: true, unique: true },
    serialNumber: { type: String, required: true, unique: true },
    // sha256 of the device token; the token itself is never stored.
    tokenHash: { type: String, required: true, unique: true },
    /** Set when a person revoked the device: it must be enrolled again. */
    revokedAt: Date,
    status: { type: String, enum: ['inactive', 'online', 'offline'], default: 'inactive' },
    lastSeen: Date,
    networkConfig: Schema.Types.Mixed,
    // The box's last heartbeat (contracts/device.ts Heartbeat), written as api/deviceGateway.ts says.
    health: Schema.Types.Mixed,
    // What the box's monitor last confirmed (contracts/monitor.ts MonitorState), changed
    // only by api/monitoring/faults.ts so that two API instances act on a change once.
    monitorState: Schema.Types.Mixed,
    // When the box was first seen on the path in health.cloudPath: "on LTE since 10:42".
    cloudPathSince: Date,
  },
  { timestamps: true, collection: 'devices' },
);

const userSchema = new Schema(
  {
    _id: id,
    email: { type: String, required: true, unique: true },
    name: String,
    role: { type: String, enum: ['customer', 'operator', 'partner'], required: true },
    customerId: String,
    // A customer's person: admin (manages people, sites, boxes) or member. Absent on
    // accounts from before roles: those were each business's owner, so they read as admin.
    customerRole: { type: String, enum: CustomerRole.options },
    // A partner's person: the MSP they work for.
    partnerId: String,
    // API tokens are in store/apiTokens.ts (store/moveUserTokens.ts moved the old tokenHash).
  },
  { timestamps: true, collection: 'users' },
);

const caseSchema = new Schema(
  {
    _id: { type: String, required: true },
    workflowId: { type: String, required: true },
    runId: String,
    customerId: { type: String, required: true },
    deviceId: { type: String, required: true },
    siteId: String,
    channel: { type: String, required: true },
    callerPhone: String,
    status: { type: String, enum: caseStatuses, default: 'open' },
    step: String,
    issueCategory: { type: String, default: 'unknown' },
    summary: String,
    diagnosticData: Schema.Types.Mixed,
    remediationActions: [Schema.Types.Mixed],
    resolutionTimeMinutes: Number,
    completedAt: Date,
    // Every reporter's words: { at, channel, actor: { id, role }, words }, the opener's first.
    reports: [Schema.Types.Mixed],
    // The operator user the case is with (taken over, or a follow-up's person).
    assignedOperator: String,
    // A follow-up links to the closed case it reopens; that case links back to it.
    followUpOf: String,
    followUpCaseId: String,
    // Handed to the technicians at (workflows/technician.ts); their notes stay in the
    // workflow's state and the audit trail, never here.
    handedOverAt: Date,
    // The service levels the case runs against (contracts/technician.ts), from the hand-over.
    sla: { firstResponseMinutes: Number, resolutionMinutes: Number },
    // A technician's close: { code, summary } or { reason, summary } (contracts/technician.ts).
    resolution: Schema.Types.Mixed,
    unfixable: Schema.Types.Mixed,
    // What the numbers read, written by the closing step (contracts/caseFigures.ts).
    outcome: String,
    resolvedBy: String,
    times: {
      totalSeconds: Number,
      resolutionSeconds: Number,
      approvalWaitSeconds: Number,
      technicianSeconds: Number,
      firstResponseSeconds: Number,
    },
    slaBreaches: [Schema.Types.Mixed],
  },
  { timestamps: true, collection: 'diagnostic_sessions' },
);
caseSchema.index({ customerId: 1, createdAt: -1 });
caseSchema.index({ status: 1, updatedAt: -1 });
caseSchema.index({ deviceId: 1, status: 1 });
caseSchema.index({ assignedOperator: 1, status: 1 });
caseSchema.index({ completedAt: -1 });
// GET /api/cases pages newest first, ties by _id (api/paging.ts).
caseSchema.index({ createdAt: -1, _id: -1 });

const auditSchema = new Schema(
  {
    // `${caseId}:${seq}`: a retried append lands on the same key instead of twice.
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    seq: { type: Number, required: true },
    actionType: { type: String, required: true },
    actor: { type: Schema.Types.Mixed, required: true },
    channel: { type: String, required: true },
    actionDetails: { type: Schema.Types.Mixed, required: true },
    userApproved: { type: Boolean, default: false },
    executedAt: { type: Date, required: true },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  // minimize: false keeps empty objects, which the entry's hash covers.
  { collection: 'audit_log', versionKey: false, minimize: false },
);
auditSchema.index({ caseId: 1, seq: 1 }, { unique: true });

const deviceCommandSchema = new Schema(
  {
    // `${caseId}:${seq}` from the workflow: a retried dispatch reuses the same command.
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    caseId: { type: String, required: true },
    command: { type: Schema.Types.Mixed, required: true },
    // Base64 of the activity's task token: completing it finishes the dispatch activity.
    taskToken: { type: String, required: true },
    // pending until the device answers (it is sent whenever the device is connected);
    // answered: the result is stored. Whether its workflow has it is the case's history.
    status: { type: String, enum: ['pending', 'answered'], default: 'pending' },
    result: Schema.Types.Mixed,
    answeredAt: Date,
  },
  { timestamps: true, collection: 'device_commands' },
);
deviceCommandSchema.index({ deviceId: 1, status: 1, createdAt: 1 });

const advisorCacheSchema = new Schema(
  {
    // sha256 of the engine version and the sanitized advisor input (without the case id).
    _id: { type: String, required: true },
    engineVersion: { type: String, required: true },
    advice: { type: Schema.Types.Mixed, required: true },
    usage: Schema.Types.Mixed,
    hits: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'advisor_cache', versionKey: false, minimize: false },
);

const oneTimeCodeSchema = new Schema(
  {
    // `${purpose}:${subject id}`: one live code per person and purpose.
    _id: { type: String, required: true },
    publicId: String,
    codeHash: String,
    salt: String,
    expiresAt: Date,
    // Wrong guesses at this code; it dies at the limit (a fresh code starts over).
    attempts: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'one_time_codes' },
);
// Codes past their time are swept: sign-in keeps one for any address typed in.
oneTimeCodeSchema.index({ expiresAt: 1 });

/**
 * Growing waits for sign-in (per source address, per email address): how many
 * attempts, when the next may come, and when a quiet key starts over. In the
 * database, so every API instance and a restart see the same waits.
 */
const throttleSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    nextAt: { type: Date, required: true },
    forgetAt: { type: Date, required: true, index: true },
    // Bumped on every change. Who writes revision n is decided by inserting its claim
    // (throttleClaimSchema): on FerretDB a conditional update lets two writers both pass.
    rev: { type: Number, required: true },
    // Set when the key (re)starts, so a fresh key's claims never meet an old key's.
    gen: String,
  },
  { collection: 'sign_in_throttles', versionKey: false },
);

/** The one writer of a throttle's revision: `${gen}:${rev}`, inserted once. */
const throttleClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    forgetAt: { type: Date, required: true, index: true },
  },
  { collection: 'sign_in_throttle_claims', versionKey: false },
);

const enrollmentCodeSchema = new Schema(
  {
    _id: id,
    // The code's first half, in clear: it finds the code so wrong guesses count against it.
    lookup: { type: String, required: true, unique: true },
    // sha256 of salt and the whole code; the code itself is never stored.
    codeHash: { type: String, required: true },
    salt: { type: String, required: true },
    customerId: { type: String, required: true },
    siteId: { type: String, required: true },
    createdBy: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    // Wrong codes tried against this one; at the limit the code is burned.
    attempts: { type: Number, default: 0 },
    used: { type: Boolean, default: false },
    usedAt: Date,
    deviceId: String,
  },
  { timestamps: true, collection: 'enrollment_codes' },
);

const sessionSchema = new Schema(
  {
    // sha256 of the session token.
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'sessions' },
);

export const Customer = mongoose.model('Customer', customerSchema);
export const Site = mongoose.model('Site', siteSchema);
export const Device = mongoose.model('Device', deviceSchema);
export const User = mongoose.model('User', userSchema);
export const Case = mongoose.model('Case', caseSchema);
export const AuditEntry = mongoose.model('AuditEntry', auditSchema);
export const DeviceCommandDoc = mongoose.model('DeviceCommand', deviceCommandSchema);

/** A stored document as the driver sees it: our ids are strings. */
type StoredDocument = { _id: string; [field: string]: unknown };

/**
 * The driver's collection under a model, for the writes every case step makes:
 * mongoose's casting and document machinery cost more CPU than the write. The
 * caller gives the exact document (timestamps too).
 */
export function driverCollection(model: { collection: unknown }): mongo.Collection<StoredDocument> {
  return model.collection as mongo.Collection<StoredDocument>;
}

export const AdvisorCacheEntry = mongoose.model('AdvisorCacheEntry', advisorCacheSchema);

const webhookEventSchema = new Schema(
  {
    // The provider's event id: a unique _id makes every event count once.
    _id: { type: String, required: true },
    source: { type: String, required: true },
    eventType: { type: String, required: true },
    callControlId: String,
  },
  { timestamps: true, collection: 'webhook_events', versionKey: false },
);

export const OneTimeCode = mongoose.model('OneTimeCode', oneTimeCodeSchema);
export const SignInThrottle = mongoose.model('SignInThrottle', throttleSchema);
export const SignInThrottleClaim = mongoose.model('SignInThrottleClaim', throttleClaimSchema);
export const EnrollmentCodeDoc = mongoose.model('EnrollmentCode', enrollmentCodeSchema);
export const Session = mongoose.model('Session', sessionSchema);
export const WebhookEvent = mongoose.model('WebhookEvent', webhookEventSchema);
