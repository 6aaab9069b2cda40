import { setImmediate as nextImmediate } from 'node:timers/promises';
import { EventLoopTurns } from './event-loop-turns';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/**
 * Three waiters asking in one turn; the first sets a timer and works 3 ms, so the timer is due when it is done;
 * the order things ran in.
 */
async function runOrder(next: () => Promise<void>): Promise<string[]> {
  const order: string[] = [];
  await nextImmediate();
  await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      next().then(() => {
        order.push(name);
        if (name === 'a') setTimeout(() => order.push('timer'), 0);
        busy(3);
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  return order;
}

describe('EventLoopTurns', () => {
  it('gives each waiter a turn of its own, in the order asked: a timer due after the first runs before the second', async () => {
    const turns = new EventLoopTurns();
    expect(await runOrder(() => turns.next())).toEqual(['a', 'timer', 'b', 'c']);
    expect(turns.pending).toBe(0);
  });

  it('where setImmediate alone runs the three back to back, the timer after them all', async () => {
    expect(await runOrder(() => nextImmediate())).toEqual(['a', 'b', 'c', 'timer']);
  });

  it('serves waiters that ask while others wait, and again after it fell idle', async () => {
    const turns = new EventLoopTurns();
    const order: number[] = [];
    await Promise.all([
      turns.next().then(() => order.push(1)),
      turns.next().then(async () => {
        order.push(2);
        await turns.next();
        order.push(4);
      }),
      turns.next().then(() => order.push(3)),
    ]);
    await turns.next();
    order.push(5);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });
});
