import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporalDataConverter } from './dataConverter';

// A Temporal client that can be closed while calls are in flight.
//
// The SDK retries a failed call from a timer. Closing a plain connection while
// a call is waiting (a long poll for a result, a signal sent as the server
// restarts) makes that timer start a call on the shut channel, and gRPC throws
// from the timer: an uncaught exception in whatever runs next. Closing a
// channel also leaves its calls running until the server answers. Here closing
// stops new retries, lets the ones already scheduled start on the open
// channel, cancels every call still open (their callers get CANCELLED), then
// closes the channel.

export interface TemporalClient {
  client: Client;
  close(): Promise<void>;
}

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  /** Connect on first use, so a process can start while Temporal is down. */
  lazy?: boolean;
  /** How payloads are encrypted (default: the one data converter, keys from the environment). */
  dataConverter?: DataConverter;
}

export async function connectTemporal({
  address,
  namespace,
  lazy = false,
  dataConverter = temporalDataConverter(),
}: TemporalClientOptions): Promise<TemporalClient> {
  const retries = closableRetries();
  const open = openCalls();
  // Outermost first: the retry interceptor starts each attempt through the tracker.
  const options: ConnectionOptions = {
    address,
    interceptors: [retries.interceptor, open.interceptor],
  };
  const connection = lazy ? Connection.lazy(options) : await Connection.connect(options);
  const client = new Client({ connection, namespace, dataConverter });
  let closed: Promise<void> | undefined;
  return {
    client,
    close: () =>
      (closed ??= (async () => {
        open.cancelAll();
        await retries.stop();
        open.cancelAll();
        await connection.close();
      })()),
  };
}

function closableRetries() {
  const base = defaultGrpcRetryOptions();
  let stopping = false;
  let scheduledUntil = 0;
  const interceptor = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !stopping && base.retryableDecider(attempt, status),
    // Called only for a retry about to be scheduled: remember when it fires.
    delayFunction: (attempt, status) => {
      const ms = base.delayFunction(attempt, status);
      scheduledUntil = Math.max(scheduledUntil, Date.now() + ms);
      return ms;
    },
  });
  return {
    interceptor,
    async stop() {
      stopping = true;
      const wait = scheduledUntil - Date.now();
      // A little past the last timer, so its call has been started on the open channel.
      if (wait > -50) await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0) + 50));
    },
  };
}

/** Tracks each call attempt until its status arrives, so closing can cancel it. */
function openCalls() {
  const calls = new Set<InterceptingCall>();
  const interceptor: Interceptor = (options, nextCall) => {
    const call: InterceptingCall = new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            calls.delete(call);
            nextStatus(status);
          },
        });
      },
    });
    calls.add(call);
    return call;
  };
  return {
    interceptor,
    cancelAll() {
      for (const call of calls)
        call.cancelWithStatus(grpcStatus.CANCELLED, 'Temporal client closed');
      calls.clear();
    },
  };
}
