// Each call's events and polls run one at a time, in the order they came, and
// each step gets a bounded time: a step that hangs (a command or a Temporal
// call that never answers) lets the call's next step go after `stepTimeoutMs`,
// and never holds up any other call, since every call has its own queue.

export class StepTimeout extends Error {
  constructor(readonly ms: number) {
    super(`A call step took longer than ${ms} ms`);
  }
}

export class CallQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly stepTimeoutMs: number,
    /** Runs in the queue, before the call's next step, when a step throws or overruns. */
    private readonly onError: (key: string, err: unknown) => Promise<void> | void,
  ) {}

  /** Runs `step` after whatever this call is already doing; resolves once it (or its handling) is done. */
  run(key: string, step: () => Promise<void> | void): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const tail = previous
      .then(() => bounded(step, this.stepTimeoutMs))
      .catch((err: unknown) => bounded(() => this.onError(key, err), this.stepTimeoutMs))
      .catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return tail;
  }

  /** Calls with steps queued or running. */
  get size(): number {
    return this.tails.size;
  }
}

async function bounded(step: () => Promise<void> | void, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(ms)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(step), overrun]);
  } finally {
    clearTimeout(timer);
  }
}
