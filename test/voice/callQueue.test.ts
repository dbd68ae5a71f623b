import { CallQueue, StepTimeout } from '../../api/voice/callQueue';

// Each call's steps run in order, each in bounded time; no call waits for another.

const never = () => new Promise<void>(() => undefined);

it('runs the steps of one call one at a time, in order', async () => {
  const queue = new CallQueue(1000, () => undefined);
  const order: string[] = [];
  const slow = queue.run('a', async () => {
    await new Promise((r) => setTimeout(r, 30));
    order.push('first');
  });
  const next = queue.run('a', () => {
    order.push('second');
  });
  await Promise.all([slow, next]);
  expect(order).toEqual(['first', 'second']);
});

it('a step that hangs holds up no other call, and its own call only for the step time', async () => {
  const failures: unknown[] = [];
  const queue = new CallQueue(200, (_key, err) => {
    failures.push(err);
  });
  const started = Date.now();
  void queue.run('stuck', never);
  // Another call goes ahead at once.
  let other = 0;
  await queue.run('other', () => {
    other = Date.now() - started;
  });
  expect(other).toBeLessThan(100);
  // The stuck call's next step runs once the step time is up.
  let next = 0;
  await queue.run('stuck', () => {
    next = Date.now() - started;
  });
  expect(next).toBeGreaterThanOrEqual(190);
  expect(next).toBeLessThan(2000);
  expect(failures).toEqual([expect.any(StepTimeout)]);
  expect(queue.size).toBe(0);
});

it('a step that throws is handled before the next step of its call, which still runs', async () => {
  const seen: string[] = [];
  const queue = new CallQueue(1000, () => {
    seen.push('handled');
  });
  void queue.run('a', () => {
    throw new Error('boom');
  });
  await queue.run('a', () => {
    seen.push('next');
  });
  expect(seen).toEqual(['handled', 'next']);
});
