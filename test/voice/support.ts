import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { startTelnyxStandIn, type TelnyxStandIn } from '../../stand-ins/telnyx';
import { Device } from '../../store/models';
import type { CaseSettings } from '../../workflows/messages';
import { prompts } from '../../api/voice/prompts';
import { outboxMessages, startMailSink } from '../support/mail';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The real stack with the phone channel: the Telnyx stand-in (signed webhooks
// to the in-process API, Call Control commands from the real SDK) and the SMTP
// sink for the one-time codes.

export interface VoiceStack {
  stack: TestStack;
  telnyx: TelnyxStandIn;
  mail: SmtpSink;
  stop(): Promise<void>;
}

export async function startVoiceStack(
  label: string,
  caseSettings: Partial<CaseSettings> = {},
): Promise<VoiceStack> {
  const mail = await startMailSink(mkdtempSync(path.join(os.tmpdir(), `zen-${label}-mail-`)));
  const telnyx = await startTelnyxStandIn();
  // The API reads its Telnyx settings from the environment on the first webhook.
  process.env.TELNYX_API_KEY = telnyx.apiKey;
  process.env.TELNYX_PUBLIC_KEY = telnyx.publicKey;
  process.env.TELNYX_BASE_URL = telnyx.url;
  process.env.TELNYX_MAX_RETRIES = '0';
  const stack = await startTestStack(label, { caseSettings });
  telnyx.webhookUrl = `${stack.apiUrl}/api/voice/telnyx/webhook`;
  return {
    stack,
    telnyx,
    mail,
    async stop() {
      // Callers still on the line hang up first, so no call outlives the API.
      for (const call of telnyx.calls.values()) telnyx.hangup(call.id);
      await telnyx.idle();
      await telnyx.stop();
      await stack.stop();
      await mail.stop();
    },
  };
}

export async function waitToHear(
  telnyx: TelnyxStandIn,
  callId: string,
  fragment: string,
  timeoutMs = 30_000,
): Promise<string[]> {
  return eventually(
    async () => {
      const heard = telnyx.heard(callId);
      return heard.some((line) => line.includes(fragment)) ? heard : undefined;
    },
    { timeoutMs, what: `the caller to hear "${fragment}"` },
  ).catch((err: Error) => {
    // What was heard by the time it gave up, not when it started waiting.
    throw new Error(`${err.message}; heard by then: ${telnyx.heard(callId).join(' | ')}`);
  });
}

export async function waitForCallState(
  telnyx: TelnyxStandIn,
  callId: string,
  state: 'answered' | 'ended',
): Promise<void> {
  await eventually(async () => telnyx.calls.get(callId)?.state === state, {
    what: `call ${callId} to be ${state}`,
  });
}

/**
 * Places a call about a new problem: when the call asks whether a case fixed lately is
 * still broken (the number's customer had one), the caller presses 2.
 */
export async function callAboutNewProblem(telnyx: TelnyxStandIn, from: string): Promise<string> {
  const id = await telnyx.placeCall(from);
  const asked = prompts.askStillBroken().slice(-25);
  const until = Date.now() + 60_000;
  const watch = setInterval(() => {
    const call = telnyx.calls.get(id);
    const heard = telnyx.heard(id);
    if (heard.some((line) => line.endsWith(asked))) telnyx.press(id, '2');
    else if (call?.state !== 'ended' && Date.now() < until) return;
    clearInterval(watch);
  }, 100);
  watch.unref();
  return id;
}

export function mailsTo(outbox: string, to: string): number {
  return outboxMessages(outbox).filter((m) => m.includes(`To: ${to}`)).length;
}

/** The text of the latest message to `to` after `seen` of them, quoted-printable undone. */
export async function latestMailText(outbox: string, to: string, seen: number): Promise<string> {
  const raw = await eventually(
    async () => {
      const mine = outboxMessages(outbox).filter((m) => m.includes(`To: ${to}`));
      return mine.length > seen ? mine.at(-1) : undefined;
    },
    { what: `an email to ${to}` },
  );
  if (!/Content-Transfer-Encoding: quoted-printable/i.test(raw)) return raw;
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Disconnects a simulated Pi and waits until the API has seen it go, so the next one gets the commands. */
export async function stopDevice(stack: TestStack, device: SimulatedAgent): Promise<void> {
  device.stop();
  await eventually(
    async () =>
      (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status === 'offline',
    { what: 'the simulated Pi to be offline', timeoutMs: 5000 },
  ).catch(() => undefined);
}

/**
 * The demo Pi with a fresh simulated network but its remediation journal on
 * disk, as a real Pi keeps it across reconnects: a command of an earlier case
 * delivered again on reconnect is not carried out twice.
 */
export function connectPi(stack: TestStack, scenario: string): SimulatedAgent {
  return startSimulatedAgent({
    apiUrl: stack.apiUrl,
    token: stack.demo.device.token,
    scenario,
    journalPath: path.join(stack.dataDir, 'pi-journal.json'),
    log: () => undefined,
  });
}
