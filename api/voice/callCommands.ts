import { randomUUID } from 'node:crypto';
import type Telnyx from 'telnyx';
import { encodeState, type ClientState } from './callEvents';
import { isCallEnded } from './telnyxClient';

// The Call Control commands a call is sent: answer, speak, a keypad question, hang up.
// Each carries a command_id, so that the SDK's retries of it are carried out once. A
// command to a call that has ended (422, 90018) is no error: `onEnded` hears of it and the
// call's step goes on quietly.

export type GatherPhase = 'choose' | 'reopen' | 'code' | 'decide' | 'rate';

/** The keys each question takes; a rating takes any, so that a wrong one is asked again. */
const validDigits: Record<GatherPhase, string> = {
  choose: '123456789',
  reopen: '12',
  code: '0123456789',
  decide: '12',
  rate: '0123456789',
};

const VOICE = 'female';
const LANGUAGE = 'en-US';

export interface CallCommandsOptions {
  telnyx: Telnyx;
  /** How long the caller has to key digits. */
  gatherTimeoutMs: number;
  /** How long the caller has to key a rating (shorter: it is optional). */
  ratingTimeoutMs: number;
  /** A command found the call ended. */
  onEnded: (id: string) => void;
}

export class CallCommands {
  constructor(private readonly options: CallCommandsOptions) {}

  async answer(id: string, state: ClientState): Promise<void> {
    await this.command(id, (c, command_id) =>
      c.answer(id, { client_state: encodeState(state), command_id }),
    );
  }

  async say(id: string, text: string, state?: ClientState): Promise<void> {
    await this.command(id, (c, command_id) =>
      c.speak(id, {
        payload: text,
        voice: VOICE,
        language: LANGUAGE,
        command_id,
        ...(state ? { client_state: encodeState(state) } : {}),
      }),
    );
  }

  async gather(id: string, prompt: string, p: GatherPhase): Promise<void> {
    const digits = p === 'code' ? 6 : 1;
    await this.command(id, (c, command_id) =>
      c.gatherUsingSpeak(id, {
        payload: prompt,
        voice: VOICE,
        language: LANGUAGE,
        minimum_digits: digits,
        maximum_digits: digits,
        valid_digits: validDigits[p],
        timeout_millis: p === 'rate' ? this.options.ratingTimeoutMs : this.options.gatherTimeoutMs,
        client_state: encodeState({ p }),
        command_id,
      }),
    );
  }

  async hangup(id: string): Promise<void> {
    await this.command(id, (c, command_id) => c.hangup(id, { command_id }));
  }

  private async command(
    id: string,
    run: (calls: Telnyx['calls']['actions'], commandId: string) => Promise<unknown>,
  ) {
    try {
      await run(this.options.telnyx.calls.actions, randomUUID());
    } catch (err) {
      if (!isCallEnded(err)) throw err;
      this.options.onEnded(id);
    }
  }
}
