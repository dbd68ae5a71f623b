import { randomUUID } from 'node:crypto';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import type { Logger } from '../../observability/logger';
import { busTimings } from '../socketBus';
import { WebhookEventData } from './callEvents';

// With several API instances a call's session lives in the instance that answered or dialled
// it (./callFlow), while the load balancer sends each of the call's webhooks to any instance.
// An instance that takes (claims) an event for a call it does not hold asks the others over
// the bus (../socketBus.ts): the one that holds the call queues the event behind the call's
// earlier ones and says so. When none does (an unknown caller's call, which nobody keeps, or
// a call whose instance died) the event runs here, as it would with one instance: an event
// for a call nobody knows is ignored. The event id was claimed before, so the event runs once
// whichever instance Telnyx reached, and a repeat of it is refused as a duplicate.
//
// The question goes to every other instance and each answers; the first "mine" settles it, so
// an instance that died unannounced (counted until its heartbeat is overdue) delays only the
// events nobody holds, for the bus's request timeout at most. (socket.io's acknowledged
// serverSideEmit is not used: it reports no answer before it has all of them, or 5 s passed.)

/** What the hand-off needs of the call flow. */
export interface CallHolder {
  /** This instance holds the event's call. */
  holds(event: WebhookEventData): boolean;
  /** Queues the event behind the call's earlier ones; resolves once it has run. */
  accept(event: WebhookEventData): Promise<void>;
}

export interface CallHandoffOptions {
  /** A namespace whose adapter is the bus: its server-side events reach every other instance. */
  bus: Namespace;
  /** This instance's calls, for the others' questions; none while voice has not started here. */
  holder: () => CallHolder | undefined;
  /** This instance's name (API_INSTANCE), for the logs of the instance that asked. */
  instance?: string;
  logger: Logger;
  /** How long an instance waits for the others' answers. */
  timeoutMs?: number;
}

export interface CallHandoff {
  /**
   * Runs a claimed event where its call is held: here when this instance holds it or the
   * event starts an inbound call, else at the instance that says it holds it, else here.
   * Resolves once the event is queued on one of them, not when it has run.
   */
  route(calls: CallHolder, event: WebhookEventData): Promise<void>;
}

const askEvent = 'voice:call-event';
const answerEvent = 'voice:call-event-answer';

const Ask = z.object({ id: z.string().min(1).max(100), event: WebhookEventData });
const Answer = z.object({
  id: z.string().min(1).max(100),
  mine: z.boolean(),
  instance: z.string().max(100).optional(),
});
type Answer = z.infer<typeof Answer>;

type Outcome = { to: 'other'; instance?: string } | { to: 'none' } | { to: 'timeout' };

interface Waiting {
  others: number;
  notMine: number;
  settle: (outcome: Outcome) => void;
}

export function attachCallHandoff(options: CallHandoffOptions): CallHandoff {
  const { bus, holder, instance, logger } = options;
  const timeoutMs = options.timeoutMs ?? busTimings.requestTimeoutMs;
  const waiting = new Map<string, Waiting>();

  // Another instance asks: take the event if this one holds its call, and answer either way.
  bus.on(askEvent, (message: unknown) => {
    const ask = Ask.safeParse(message);
    if (!ask.success) return;
    const { id, event } = ask.data;
    const calls = holder();
    const mine = calls?.holds(event) ?? false;
    if (mine) {
      void calls!.accept(event);
      logger.debug(
        { eventType: event.event_type, callControlId: event.payload.call_control_id },
        'voice: took a call event from another instance',
      );
    }
    bus.serverSideEmit(answerEvent, { id, mine, instance } satisfies Answer);
  });

  // Every instance hears every answer; only the one that asked waits for it.
  bus.on(answerEvent, (message: unknown) => {
    const answer = Answer.safeParse(message);
    if (!answer.success) return;
    const request = waiting.get(answer.data.id);
    if (!request) return;
    if (answer.data.mine) return request.settle({ to: 'other', instance: answer.data.instance });
    request.notMine += 1;
    if (request.notMine >= request.others) request.settle({ to: 'none' });
  });

  async function ask(event: WebhookEventData): Promise<Outcome> {
    const others = (await bus.adapter.serverCount()) - 1;
    if (others <= 0) return { to: 'none' };
    const id = randomUUID();
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => settle({ to: 'timeout' }), timeoutMs);
      const settle = (outcome: Outcome) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(outcome);
      };
      waiting.set(id, { others, notMine: 0, settle });
      // The numbers stay off the bus: only an inbound call.initiated reads them, and it is
      // never passed on.
      const passed = { ...event, payload: { ...event.payload, from: undefined, to: undefined } };
      bus.serverSideEmit(askEvent, { id, event: passed } satisfies z.infer<typeof Ask>);
    });
  }

  return {
    async route(calls, event) {
      const p = event.payload;
      // Nobody can hold a call that is only now coming in.
      const starts = event.event_type === 'call.initiated' && p.direction === 'incoming';
      if (starts || calls.holds(event)) {
        void calls.accept(event);
        return;
      }
      const fields = { eventType: event.event_type, callControlId: p.call_control_id };
      let outcome: Outcome;
      try {
        outcome = await ask(event);
      } catch (err) {
        logger.warn({ ...fields, err }, 'voice: could not ask the other instances; run here');
        outcome = { to: 'none' };
      }
      if (outcome.to === 'other') {
        logger.debug({ ...fields, to: outcome.instance }, 'voice: call event passed on');
        return;
      }
      if (outcome.to === 'timeout') {
        logger.warn(
          fields,
          `voice: not every API instance answered within ${timeoutMs} ms whether it holds the call; run here`,
        );
      } else {
        logger.debug(fields, 'voice: no instance holds the call; run here');
      }
      void calls.accept(event);
    },
  };
}
