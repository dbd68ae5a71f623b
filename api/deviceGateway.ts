import { ActivityNotFoundError, type Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { deviceCommandLatency, deviceHeartbeats } from '../observability/metrics';
import { z } from 'zod';
import type { Namespace, Server as SocketServer, Socket } from 'socket.io';
import { closedStatuses, type CaseStatus } from '../contracts/case';
import {
  CaseStatusEvent,
  CommandResult,
  Heartbeat,
  type CloudPath,
  type DeviceCommand,
} from '../contracts/device';
import { Case, Device, DeviceCommandDoc, driverCollection } from '../store/models';
import {
  caseWorkflowId,
  deviceCommandFailure,
  deviceConnectionSignal,
} from '../workflows/messages';
import type { Logger } from '../observability/logger';
import type { Authenticate } from './auth';
import { healthKey, pathChangedAt, storedHealth } from './heartbeatWrites';
import type { DeviceMonitoring } from './monitoring';
import { busTimings } from './socketBus';

// The /device namespace: each Pi holds one outbound socket.io connection,
// authenticated with its device token. Commands go down as `command`; answers
// come back as `command:result` and complete the waiting workflow activity.
// An answer is stored before its workflow is told: while Temporal is away this
// process keeps it queued and offers it again every few seconds.

export function deviceRoom(deviceId: string): string {
  return `device:${deviceId}`;
}

export interface DeviceGateway {
  /** Sends a stored, unanswered command to its device if connected; true when sent. */
  push(deviceId: string, command: DeviceCommand): Promise<boolean>;
  /** Drops the device's connections (its token changed or was revoked). */
  disconnect(deviceId: string): Promise<void>;
  /**
   * Tells the device's sockets on this instance that its case moved on (the other
   * instances hear of the step through api/caseStepRelay.ts); each socket hears each status
   * once, and never an older step's after a newer one's (`seq`, the step's place in its case).
   */
  tellCaseStatus(deviceId: string, step: { caseId: string; status: unknown; seq?: number }): void;
  /**
   * Tells this instance's boxes their case's status again, as the store has it: steps the
   * other instances relayed while this one could not hear them were lost (api/socketBus.ts).
   */
  retellCaseStatuses(): Promise<void>;
  /** Stops redelivering answers; resolves when no socket handler is still running. */
  close(): Promise<void>;
}

/**
 * A connected device's heartbeat is written when its health changed (heartbeatWrites.ts),
 * or when lastSeen is this old: thousands of boxes beating every 30 s would otherwise
 * each cost a database write while nothing changes. Growing counters (uptime, LTE bytes)
 * ride along with that write.
 */
const seenWriteIntervalMs = 5 * 60_000;

/** How often answers that Temporal did not take are offered again. */
const redeliverIntervalMs = 5_000;

export function attachDeviceGateway(
  io: SocketServer,
  temporal: Client,
  authenticate: Authenticate,
  logger: Logger,
  monitoring: DeviceMonitoring,
): DeviceGateway {
  const devices = io.of('/device');
  const running = new Set<Promise<void>>();
  // Socket handlers run detached from any request: a failure (the database away) is logged,
  // never left to crash the process, and closing the API waits for them.
  const detached =
    <A extends unknown[]>(what: string, work: (...args: A) => Promise<unknown>) =>
    (...args: A) => {
      const run = work(...args).then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, `device ${what} failed`),
      );
      running.add(run);
      void run.finally(() => running.delete(run));
    };

  devices.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const principal = typeof token === 'string' ? await authenticate(token) : undefined;
    if (!principal || principal.role !== 'device' || !principal.deviceId) {
      return next(new Error('unauthorized'));
    }
    socket.data.deviceId = principal.deviceId;
    // Its document's _id: FerretDB on SQLite looks documents up by _id alone, scanning otherwise.
    socket.data.deviceDocId = principal.id;
    next();
  });

  devices.on(
    'connection',
    detached('connection', async (socket: Socket) => {
      const deviceId = socket.data.deviceId as string;
      const self = { _id: socket.data.deviceDocId as string };
      let written: { at: number; health: string; path: CloudPath | undefined } | undefined;
      // Handlers first: a resent command may be answered at once.
      socket.on(
        'heartbeat',
        detached('heartbeat', async (payload: unknown, ack?: (reply: unknown) => void) => {
          const parsed = Heartbeat.safeParse(payload);
          if (!parsed.success) return ack?.({ ok: false, error: 'invalid heartbeat' });
          // The monitor's intervals go to the history; the acknowledgement says what was stored.
          const monitorSeq =
            parsed.data.monitor &&
            (await monitoring.report(
              { deviceId, docId: self._id, cloudPath: parsed.data.cloudPath },
              parsed.data.monitor,
            ));
          const health = healthKey(parsed.data);
          const now = Date.now();
          const fresh =
            written && written.health === health && now - written.at < seenWriteIntervalMs;
          deviceHeartbeats.inc({ written: String(!fresh) });
          if (!fresh) {
            const path = parsed.data.cloudPath;
            // A box changing path reconnects, maybe to another API instance: its first
            // write on this socket compares with the stored path.
            const previous = written ? written.path : await storedPath(self);
            const since = pathChangedAt(path, previous, new Date(now));
            await Device.updateOne(self, {
              $set: {
                status: 'online',
                lastSeen: new Date(now),
                health: storedHealth(parsed.data),
                ...(since && { cloudPathSince: since }),
              },
            });
            written = { at: now, health, path: path ?? previous };
          }
          ack?.({ ok: true, ...(monitorSeq !== undefined && { monitorSeq }) });
        }),
      );
      // The box's check that the cloud still answers on its current path: no work, just an ack.
      socket.on('link:probe', (ack?: unknown) => {
        if (typeof ack === 'function') ack({ ok: true });
      });
      socket.on(
        'command:result',
        detached('result', async (payload: unknown, ack?: (reply: unknown) => void) => {
          try {
            const reply = await completeCommand(temporal, deviceId, payload, logger);
            if ('queued' in reply) queued.add(reply.commandId);
            ack?.(reply);
          } catch (err) {
            ack?.({ ok: false, error: (err as Error).message });
          }
        }),
      );
      socket.on(
        'disconnect',
        detached('disconnect', async () => {
          // Another socket of the same device may still be connected (a quick reconnect),
          // on any API instance. One that does not answer leaves the status as it is.
          const stillThere = await connectedSockets(devices, deviceId);
          if (stillThere > 0) return;
          await Device.updateOne(self, { $set: { status: 'offline', lastSeen: new Date() } });
          await tellCase(temporal, deviceId, false);
          await monitoring.disconnected({ deviceId, docId: self._id });
        }),
      );

      await socket.join(deviceRoom(deviceId));
      await Device.updateOne(self, { $set: { status: 'online', lastSeen: new Date() } });
      await tellCase(temporal, deviceId, true);
      await monitoring.connected({ deviceId, docId: self._id });
      // The device's status LED picks up its open case, then any commands it missed.
      const [open] = await openCasesOf([deviceId]);
      const event = CaseStatusEvent.safeParse({ caseId: open?._id, status: open?.status });
      if (event.success) tellSocket(socket, event.data);
      // Whatever the device missed while away goes out again, oldest first.
      const pending = await DeviceCommandDoc.find({ deviceId, status: 'pending' })
        .sort({ createdAt: 1 })
        .lean();
      for (const command of pending) socket.emit('command', command.command);
    }),
  );

  // Answers this process stored but Temporal could not take. One left behind by a
  // process that died is taken by its command's retried dispatch instead.
  const queued = new Set<string>();
  const redelivery = setInterval(
    detached('redelivery', () => redeliverAnswers(temporal, queued, logger)),
    redeliverIntervalMs,
  );
  redelivery.unref();

  return {
    push: (deviceId, command) => send(devices, deviceId, command),
    async disconnect(deviceId) {
      devices.in(deviceRoom(deviceId)).disconnectSockets(true);
    },
    tellCaseStatus(deviceId, step) {
      const event = StepStatus.safeParse(step);
      if (!event.success) return; // An unknown status is not sent.
      for (const id of devices.adapter.rooms.get(deviceRoom(deviceId)) ?? []) {
        const socket = devices.sockets.get(id);
        if (socket) tellSocket(socket, event.data);
      }
    },
    retellCaseStatuses: () => retellCaseStatuses(devices),
    async close() {
      clearInterval(redelivery);
      while (running.size > 0) await Promise.all([...running]);
      await monitoring.settled();
    },
  };
}

/**
 * Sends a command to its device if connected. Nothing is written: a command stays pending
 * until its answer, whose write is the only one after the worker stored it (FerretDB
 * rewrites whole documents, so a write racing the answer's could undo it).
 */
async function send(devices: Namespace, deviceId: string, command: unknown): Promise<boolean> {
  // Emitted first: the room reaches the box on whichever API instance holds it, even while
  // a dead instance keeps the count below from answering.
  const room = deviceRoom(deviceId);
  devices.to(room).emit('command', command);
  // Connected here, it was sent; only a box elsewhere needs the other instances asked.
  if ((devices.adapter.rooms.get(room)?.size ?? 0) > 0) return true;
  return (await connectedSockets(devices, deviceId)) > 0;
}

/** The device's sockets on every API instance; rejects when one does not answer in time. */
async function connectedSockets(devices: Namespace, deviceId: string): Promise<number> {
  try {
    const sockets = await devices
      .in(deviceRoom(deviceId))
      .timeout(busTimings.requestTimeoutMs)
      .fetchSockets();
    return sockets.length;
  } catch (err) {
    throw new Error(
      `An API instance did not say within ${busTimings.requestTimeoutMs / 1000} s whether device ${deviceId} is connected to it (${(err as Error).message})`,
    );
  }
}

/**
 * A case's status with its step's place. Each socket remembers what it was last told: most
 * steps leave the status as it was, and a box need not hear it again. The memory sits with
 * the socket, not with whichever instance relayed the last step: steps of one case come
 * through any instance, from any worker. They may also arrive out of order (two relays of
 * one instance can take two bus connections), so the memory keeps the step's place too, and
 * an older step than the last told is dropped.
 */
const StepStatus = CaseStatusEvent.extend({ seq: z.number().int().nonnegative().optional() });

/** The open cases of these boxes, with their status: what their LEDs show. */
function openCasesOf(deviceIds: string[]) {
  return Case.find(
    {
      deviceId: mongoose.trusted({ $in: deviceIds }),
      status: mongoose.trusted({ $nin: closedStatuses }),
    },
    { deviceId: 1, status: 1 },
  ).lean();
}

/** Boxes whose open cases one store read looks up when statuses are told again. */
const retellBatch = 500;

async function retellCaseStatuses(devices: Namespace): Promise<void> {
  const sockets = [...devices.sockets.values()];
  for (let i = 0; i < sockets.length; i += retellBatch) {
    const batch = sockets.slice(i, i + retellBatch);
    // What each was told before the read: one told a newer step meanwhile is left alone.
    const toldBefore = new Map(batch.map((s) => [s, s.data.toldCaseStatus as ToldCaseStatus]));
    const deviceIds = [...new Set(batch.map((s) => s.data.deviceId as string))];
    const open = await openCasesOf(deviceIds);
    const openOf = new Map(open.map((c) => [c.deviceId, c]));
    // A box told of a case that has closed since hears its close.
    const gone = batch.flatMap((s) => {
      const told = toldBefore.get(s);
      return told &&
        !openOf.has(s.data.deviceId as string) &&
        !closedStatuses.includes(told.status as CaseStatus)
        ? [told.caseId]
        : [];
    });
    const closed = gone.length
      ? await Case.find({ _id: mongoose.trusted({ $in: gone }) }, { status: 1 }).lean()
      : [];
    const closedOf = new Map(closed.map((c) => [c._id, c]));
    for (const socket of batch) {
      const told = toldBefore.get(socket);
      if (socket.data.toldCaseStatus !== told || socket.disconnected) continue;
      const current =
        openOf.get(socket.data.deviceId as string) ?? (told && closedOf.get(told.caseId));
      const event = CaseStatusEvent.safeParse({ caseId: current?._id, status: current?.status });
      if (event.success) tellSocket(socket, event.data);
    }
  }
}

/** What a socket was last told of its case. */
interface ToldCaseStatus {
  caseId: string;
  status: string;
  /** The step it came with; none for the status read from the store at connect. */
  seq?: number;
}

function tellSocket(socket: Socket, { seq, ...event }: CaseStatusEvent & { seq?: number }): void {
  const told = socket.data.toldCaseStatus as ToldCaseStatus | undefined;
  if (told?.caseId === event.caseId) {
    if (seq !== undefined && told.seq !== undefined && seq <= told.seq) return;
    if (told.status === event.status) {
      told.seq = seq ?? told.seq;
      return;
    }
  }
  socket.data.toldCaseStatus = { ...event, seq } satisfies ToldCaseStatus;
  socket.emit('case:status', event);
}

/** Stores the device's answer, then completes (or fails) the activity that dispatched it. */
async function completeCommand(
  temporal: Client,
  deviceId: string,
  payload: unknown,
  logger: Logger,
) {
  const result = readResult(payload);
  // A device answers only its own commands, and each command once. Through the driver
  // (store/models.ts driverCollection): every answer of every case.
  const now = new Date();
  const command = (await driverCollection(DeviceCommandDoc).findOneAndUpdate(
    { _id: result.commandId, deviceId, status: 'pending' },
    { $set: { status: 'answered', result, answeredAt: now, updatedAt: now } },
    { returnDocument: 'after', ignoreUndefined: true },
  )) as { _id: string; taskToken: string; createdAt: Date } | null;
  if (!command) return { ok: true, commandId: result.commandId, duplicate: true };
  deviceCommandLatency.observe(
    { kind: result.kind, ok: String(result.ok) },
    (Date.now() - new Date(command.createdAt).getTime()) / 1000,
  );
  // Stored: the device may forget it whatever Temporal says.
  return {
    ok: true,
    commandId: command._id,
    ...(await deliverAnswer(temporal, command._id, command.taskToken, result, logger)),
  };
}

/**
 * Hands a stored answer to its workflow. That it arrived is in the case's history (its
 * dispatch activity completed), so nothing more is written; one Temporal could not take
 * is queued and offered again.
 */
async function deliverAnswer(
  temporal: Client,
  commandId: string,
  encodedToken: string,
  result: CommandResult,
  logger: Logger,
): Promise<{ stale?: true; queued?: true; reason?: string }> {
  const taskToken = new Uint8Array(Buffer.from(encodedToken, 'base64'));
  let stale: string | undefined;
  try {
    if (result.ok) await temporal.activity.complete(taskToken, result);
    else await temporal.activity.fail(taskToken, deviceCommandFailure(result.error));
  } catch (err) {
    if (!(err instanceof ActivityNotFoundError)) {
      logger.warn(
        { err, commandId },
        'Temporal did not take a device answer; it will be offered again',
      );
      return { queued: true };
    }
    // The attempt stopped waiting (timed out, case closed): a retried dispatch takes the
    // stored answer, and the command is never sent again.
    stale = err.message;
  }
  return stale === undefined ? {} : { stale: true, reason: stale };
}

/** Offers Temporal again the answers it could not take when they came. */
async function redeliverAnswers(
  temporal: Client,
  queued: Set<string>,
  logger: Logger,
): Promise<void> {
  for (const commandId of queued) {
    const command = await DeviceCommandDoc.findById(commandId).lean();
    if (command?.status === 'answered') {
      // The current token: a retried dispatch may have replaced it.
      const outcome = await deliverAnswer(
        temporal,
        commandId,
        command.taskToken,
        command.result as CommandResult,
        logger,
      );
      if (outcome.queued) return; // Temporal is still away: try again next time.
    }
    queued.delete(commandId);
  }
}

/**
 * An answer that breaks the protocol but names its command fails that command
 * with the reason, so the case moves on instead of waiting for an answer that
 * will never parse.
 */
function readResult(payload: unknown): CommandResult {
  const parsed = CommandResult.safeParse(payload);
  if (parsed.success) return parsed.data;
  const raw = (payload ?? {}) as { commandId?: unknown; kind?: unknown };
  const { success: named, data: commandId } = z.string().min(1).max(200).safeParse(raw.commandId);
  if (!named) throw parsed.error;
  const reason = z.prettifyError(parsed.error).slice(0, 900);
  return {
    commandId,
    kind: raw.kind === 'remediate' ? 'remediate' : 'diagnose',
    ok: false,
    error: `The Zen box's answer breaks the device protocol: ${reason}`,
  };
}

/** The cloud path the device's stored health shows. */
async function storedPath(self: { _id: string }): Promise<CloudPath | undefined> {
  const device = await Device.findOne(self, { health: 1 }).lean();
  return (device?.health as { cloudPath?: CloudPath } | undefined)?.cloudPath;
}

/** A device's open case hears when the device comes and goes. */
async function tellCase(temporal: Client, deviceId: string, online: boolean): Promise<void> {
  await temporal.workflow
    .getHandle(caseWorkflowId(deviceId))
    .signal(deviceConnectionSignal, { online })
    .catch(() => undefined); // No open case: nothing to tell.
}
