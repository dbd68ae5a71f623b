import { io, type Socket } from 'socket.io-client';
import { closedStatuses, type CaseStatus } from '../../contracts/case';
import { Case } from '../../store/models';

// A customer at the portal, for many cases at once: opens them through the
// public API, approves each proposed fix as soon as the live view
// (socket.io /portal `case:update`) says one is waiting, says a step on site is
// done (without being on site to take it: the case then checks again and hands
// over), and notes when each stage happened. What the live view missed is read from the case
// documents: every open case when the API says its instances lost touch (live:resync), and
// by a slow sweep anything else (a restarted API drops the events sent while it was down).

export interface CaseTimes {
  caseId: string;
  deviceId: string;
  openSent: number;
  firstDiagnostics?: number;
  proposed?: number;
  approveSent?: number;
  approveReturned?: number;
  /** When the device received the remediate command (set by the caller's device hook). */
  fixReceived?: number;
  closed?: number;
  outcome?: CaseStatus;
}

export interface CaseDriverOptions {
  apiUrl: string;
  customerToken: string;
  /** Approve proposed fixes and answer steps on site (false leaves them waiting). */
  approve: boolean;
  /** How often to sweep the case documents; 0 turns the sweep off. */
  sweepMs?: number;
  log?: (line: string) => void;
}

export interface CaseDriver {
  open(deviceId: string, description?: string): Promise<CaseTimes>;
  byId: Map<string, CaseTimes>;
  /** Resolves once every opened case is closed, or rejects after timeoutMs listing the rest. */
  allClosed(timeoutMs: number): Promise<void>;
  /** Resolves once `count` cases wait for approval. */
  waiting(count: number, timeoutMs: number): Promise<void>;
  stop(): void;
}

interface CaseEvent {
  caseId?: string;
  status?: CaseStatus;
  actionType?: string;
}

const isClosed = (status: string | undefined) =>
  status !== undefined && (closedStatuses as readonly string[]).includes(status);

async function callApi(url: string, token: string, body?: unknown) {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function startCaseDriver(options: CaseDriverOptions): Promise<CaseDriver> {
  const log = options.log ?? (() => undefined);
  const byId = new Map<string, CaseTimes>();
  /** Events that came before the POST that opened their case returned. */
  const early = new Map<string, CaseEvent[]>();
  const approving = new Set<string>();
  const waitingIds = new Set<string>();
  /** When each case was last heard of, live or by a sweep. */
  const heard = new Map<string, number>();
  let changed: () => void = () => undefined;

  const socket: Socket = io(`${options.apiUrl}/portal`, {
    auth: { token: options.customerToken },
    transports: ['websocket'],
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });

  async function approve(times: CaseTimes): Promise<void> {
    if (!options.approve || approving.has(times.caseId)) return;
    approving.add(times.caseId);
    try {
      const live = await callApi(
        `${options.apiUrl}/api/cases/${times.caseId}`,
        options.customerToken,
      );
      const actionId = (live.body?.live?.proposal as { actionId?: string } | undefined)?.actionId;
      if (!actionId) throw new Error(`no proposal in the live state (${live.status})`);
      const sent = Date.now();
      const res = await callApi(
        `${options.apiUrl}/api/remediation/approve`,
        options.customerToken,
        {
          sessionId: times.caseId,
          actionId,
          approved: true,
          userNote: 'approved by the bench',
        },
      );
      // A 409 "Already approved" means an earlier try got through before its answer was lost.
      const already = res.status === 409 && /Already approved/.test(String(res.body?.error));
      if (res.status !== 200 && !already) {
        throw new Error(`approve answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      times.approveSent ??= sent;
      times.approveReturned ??= Date.now();
    } catch (err) {
      // Left for the next event or sweep.
      approving.delete(times.caseId);
      log(`approving ${times.caseId} failed: ${(err as Error).message}`);
    }
  }

  const answeredSteps = new Set<string>();
  async function sayStepDone(times: CaseTimes): Promise<void> {
    if (!options.approve || answeredSteps.has(times.caseId)) return;
    answeredSteps.add(times.caseId);
    const res = await callApi(
      `${options.apiUrl}/api/cases/${times.caseId}/step-done`,
      options.customerToken,
      {},
    ).catch((err: Error) => ({ status: 0, body: { error: err.message } }));
    // A 409 "Already said" means an earlier try got through before its answer was lost.
    if (res.status !== 200 && !/Already said/.test(String(res.body?.error))) {
      answeredSteps.delete(times.caseId);
      log(`saying the step is done for ${times.caseId} failed: ${JSON.stringify(res.body)}`);
    }
  }

  function apply(times: CaseTimes, event: CaseEvent) {
    const now = Date.now();
    heard.set(times.caseId, now);
    if (event.actionType === 'diagnostics_received') times.firstDiagnostics ??= now;
    if (event.actionType === 'fix_proposed' || event.status === 'awaiting_approval') {
      times.proposed ??= now;
      waitingIds.add(times.caseId);
      void approve(times);
    }
    if (event.actionType === 'customer_step_asked' || event.status === 'awaiting_customer') {
      void sayStepDone(times);
    }
    if (isClosed(event.status)) {
      times.closed ??= now;
      times.outcome ??= event.status;
      waitingIds.delete(times.caseId);
    }
    changed();
  }

  socket.on('case:update', (event: CaseEvent) => {
    if (!event.caseId) return;
    const times = byId.get(event.caseId);
    if (times) apply(times, event);
    else early.set(event.caseId, [...(early.get(event.caseId) ?? []), event]);
  });

  // Only cases nothing was heard of for a while, each read by _id: the server the bench
  // measures scans for any other filter (FerretDB), and a case waiting for an approval this
  // driver does not give has nothing left to miss.
  const quietMs = 10_000;
  const missed = (t: CaseTimes, now: number) =>
    !t.closed &&
    (options.approve || !waitingIds.has(t.caseId)) &&
    now - (heard.get(t.caseId) ?? t.openSent) > quietMs;
  let sweeping = false;
  let resyncAsked = false;
  /** everyOpen: the live view says it missed steps (live:resync), so read each open case. */
  const sweep = async (everyOpen = false): Promise<void> => {
    if (sweeping) {
      resyncAsked ||= everyOpen;
      return;
    }
    sweeping = true;
    try {
      const now = Date.now();
      const due = (t: CaseTimes) => (everyOpen ? !t.closed : missed(t, now));
      for (const times of [...byId.values()].filter(due)) {
        const doc = await Case.findById(times.caseId, { status: 1 }).lean();
        heard.set(times.caseId, Date.now());
        if (
          doc?.status === 'awaiting_approval' ||
          doc?.status === 'awaiting_customer' ||
          isClosed(doc?.status)
        ) {
          apply(times, { status: doc!.status as CaseStatus });
        }
      }
    } finally {
      sweeping = false;
    }
    if (resyncAsked) {
      resyncAsked = false;
      await sweep(true);
    }
  };
  socket.on('live:resync', () => {
    log('the live view missed steps: reading every open case');
    void sweep(true).catch(() => undefined);
  });
  const sweeper =
    options.sweepMs && options.sweepMs > 0
      ? setInterval(() => sweep().catch(() => undefined), options.sweepMs)
      : undefined;

  function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out: ${what()}`)), timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        changed = () => undefined;
        resolve();
      };
      changed = check;
      check();
    });
  }

  return {
    byId,
    async open(deviceId, description = 'The internet is down') {
      const openSent = Date.now();
      for (let attempt = 1; ; attempt++) {
        const res = await callApi(`${options.apiUrl}/api/cases`, options.customerToken, {
          deviceId,
          description,
        }).catch((err: Error) => ({ status: 0, body: { error: err.message } }));
        if (res.status === 201 || res.status === 200) {
          const times: CaseTimes = { caseId: res.body.caseId, deviceId, openSent };
          byId.set(times.caseId, times);
          for (const event of early.get(times.caseId) ?? []) apply(times, event);
          early.delete(times.caseId);
          return times;
        }
        if (attempt >= 3) throw new Error(`opening a case failed: ${JSON.stringify(res)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    allClosed(timeoutMs) {
      return until(
        () => [...byId.values()].every((t) => t.closed),
        timeoutMs,
        () => {
          const open = [...byId.values()].filter((t) => !t.closed);
          return `${open.length} cases still open: ${open
            .slice(0, 5)
            .map((t) => t.caseId)
            .join(', ')}`;
        },
      );
    },
    waiting(count, timeoutMs) {
      return until(
        () => waitingIds.size >= count,
        timeoutMs,
        () => `${waitingIds.size} of ${count} cases wait for approval`,
      );
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
      socket.disconnect();
    },
  };
}
