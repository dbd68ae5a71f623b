import type { Client } from '@temporalio/client';
import express, { Router } from 'express';
import type Telnyx from 'telnyx';
import { loadConfig } from '../../config';
import { WebhookEvent } from '../../store/models';
import type { CaseDefaults } from '../openCase';
import { CallFlow, type WebhookEventData } from './callFlow';
import { createTelnyxClient, type TelnyxSettings } from './telnyxClient';

// POST /api/voice/telnyx/webhook: Telnyx Call Control events. Each counts only
// with a valid Ed25519 signature over the raw body inside the ±300 s window
// (the SDK's webhooks.unwrap), and only once: its event id is claimed in
// webhook_events before anything happens.

export interface VoiceOptions {
  /** Telnyx settings; read from the environment (TELNYX_*) on first use when not given. */
  telnyx?: TelnyxSettings;
  pollMs?: number;
  gatherTimeoutMs?: number;
}

export interface Voice {
  router: Router;
  /** Calls an opted-in customer about a case their Zen box opened; a no-op without Telnyx. */
  callCustomer(customerId: string, workflowId: string): Promise<void>;
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
      let event: WebhookEventData;
      try {
        const unwrapped = (await voice.client.webhooks.unwrap(raw, {
          headers: headersOf(req.headers),
        })) as unknown as { data?: WebhookEventData };
        if (!isEvent(unwrapped.data)) throw new Error('not a call event');
        event = unwrapped.data;
      } catch {
        res.status(401).json({ error: 'INVALID_SIGNATURE' });
        return;
      }
      if (!(await claim(event))) {
        res.json({ status: 'duplicate' });
        return;
      }
      try {
        await voice.flow.handle(event);
      } catch (err) {
        // Let Telnyx deliver it again.
        await WebhookEvent.deleteOne({ _id: event.id }).catch(() => undefined);
        throw err;
      }
      res.json({ status: 'processed' });
    },
  );
  return {
    router,
    async callCustomer(customerId, workflowId) {
      await getRuntime()?.flow.callCustomer(customerId, workflowId);
    },
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

function isEvent(data: unknown): data is WebhookEventData {
  const d = data as WebhookEventData | undefined;
  return (
    typeof d?.id === 'string' &&
    d.id.length > 0 &&
    typeof d.event_type === 'string' &&
    typeof d.payload?.call_control_id === 'string'
  );
}

function headersOf(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
