import type { Client } from '@temporalio/client';
import express, { Router } from 'express';
import type { Namespace } from 'socket.io';
import type Telnyx from 'telnyx';
import { loadConfig } from '../../config';
import type { PlaceCall, PlaceCallAck } from '../../contracts/api';
import type { Logger } from '../../observability/logger';
import { WebhookEvent } from '../../store/models';
import type { CaseDefaults } from '../openCase';
import { WebhookEventData } from './callEvents';
import { CallFlow } from './callFlow';
import { attachCallHandoff } from './callHandoff';
import { placeContactCall } from './contactCall';
import { createTelnyxClient, type TelnyxSettings } from './telnyxClient';

// POST /api/voice/telnyx/webhook: Telnyx Call Control events. Each counts only
// with a valid Ed25519 signature over the raw body inside the ±300 s window
// (the SDK's webhooks.unwrap), and only once: its event id is claimed in
// webhook_events before anything happens. A claimed event is answered at once
// and carried out behind the call's earlier events (./callQueue): Telnyx never
// waits on a call's steps, so one slow step cannot hold up any other call. With
// several API instances, an event for a call another instance holds is queued
// there, over the bus (./callHandoff), before it is answered.

export interface VoiceOptions {
  /** Telnyx settings; read from the environment (TELNYX_*) on first use when not given. */
  telnyx?: TelnyxSettings;
  pollMs?: number;
  gatherTimeoutMs?: number;
  /**
   * With several API instances: a namespace whose adapter is their bus (../socketBus.ts), over
   * which call events reach the instance that holds the call, and this instance's name.
   */
  handoff?: { bus: Namespace; logger: Logger; instance?: string };
}

export interface Voice {
  router: Router;
  /** Calls an opted-in customer about a case their Zen box opened; a no-op without Telnyx. */
  callCustomer(customerId: string, workflowId: string): Promise<void>;
  /** Rings a contact about a case, for the notifier; says whether the call went out. */
  placeCall(request: PlaceCall): Promise<PlaceCallAck>;
}

export function createVoice(
  temporal: Client,
  cases: CaseDefaults,
  options: VoiceOptions = {},
): Voice {
  const router = Router();
  let runtime: { client: Telnyx; flow: CallFlow } | undefined;

  function getRuntime() {
    if (runtime) return runtime;
    const settings = options.telnyx ?? loadConfig().voice.telnyx;
    if (!settings) return undefined;
    const client = createTelnyxClient(settings);
    const flow = new CallFlow({
      temporal,
      telnyx: client,
      cases,
      connectionId: settings.connectionId,
      fromNumber: settings.fromNumber,
      pollMs: options.pollMs,
      gatherTimeoutMs: options.gatherTimeoutMs,
    });
    runtime = { client, flow };
    return runtime;
  }
  // Attached at start: the other instances may ask this one before its first call.
  const handoff =
    options.handoff && attachCallHandoff({ ...options.handoff, holder: () => runtime?.flow });

  router.post(
    '/voice/telnyx/webhook',
    express.raw({ type: () => true, limit: '64kb' }),
    async (req, res) => {
      const voice = getRuntime();
      if (!voice) {
        res.status(503).json({ error: 'VOICE_NOT_CONFIGURED' });
        return;
      }
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      let unwrapped: { data?: unknown };
      try {
        unwrapped = (await voice.client.webhooks.unwrap(raw, {
          headers: headersOf(req.headers),
        })) as unknown as { data?: unknown };
      } catch {
        res.status(401).json({ error: 'INVALID_SIGNATURE' });
        return;
      }
      // Signed by Telnyx but not a call event we act on: taken, so it is not sent again.
      const parsed = WebhookEventData.safeParse(unwrapped.data);
      if (!parsed.success) {
        res.json({ status: 'ignored' });
        return;
      }
      const event = parsed.data;
      if (!(await claim(event))) {
        res.json({ status: 'duplicate' });
        return;
      }
      if (handoff) await handoff.route(voice.flow, event);
      else void voice.flow.accept(event);
      res.json({ status: 'accepted' });
    },
  );
  return {
    router,
    async callCustomer(customerId, workflowId) {
      await getRuntime()?.flow.callCustomer(customerId, workflowId);
    },
    placeCall: (request) => placeContactCall(getRuntime()?.flow, request),
  };
}

/** True the first time an event id is seen; a repeat (or a concurrent twin) gets false. */
async function claim(event: WebhookEventData): Promise<boolean> {
  try {
    await WebhookEvent.create({
      _id: event.id,
      source: 'telnyx',
      eventType: event.event_type,
      callControlId: event.payload.call_control_id,
    });
    return true;
  } catch (err) {
    // FerretDB may report a unique-key clash as an internal error: check.
    if ((err as { code?: number }).code === 11000) return false;
    if (await WebhookEvent.exists({ _id: event.id })) return false;
    throw err;
  }
}

function headersOf(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
