import { FairTurns } from './fair-turns';

describe('FairTurns', () => {
  it('grants turns round the keys that wait, oldest waiter of each key first', async () => {
    const turns = new FairTurns();
    const order: string[] = [];
    const waits = [
      turns.take('A').then(() => order.push('A1')),
      turns.take('A').then(() => order.push('A2')),
      turns.take('A').then(() => order.push('A3')),
      turns.take('B').then(() => order.push('B1')),
      turns.take('C').then(() => order.push('C1')),
      turns.take('C').then(() => order.push('C2')),
    ];
    expect(turns.pending).toBe(6);
    await Promise.all(waits);
    expect(order).toEqual(['A1', 'B1', 'C1', 'A2', 'C2', 'A3']);
    expect(turns.pending).toBe(0);
  });

  it('grants one turn per event-loop iteration: other callbacks run between two turns', async () => {
    const turns = new FairTurns();
    const log: string[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // Each turn is a slice of 3 ms of work: the timer below is due after the first.
    const many = Array.from({ length: 50 }, (_, i) =>
      turns.take('flood').then(() => {
        log.push(`turn ${i}`);
        busy(3);
      }),
    );
    // A request arriving meanwhile (an I/O callback, here a timer) is served after at most a turn or two.
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        log.push('request');
        resolve();
      }, 0),
    );
    await Promise.all(many);
    expect(log.indexOf('request')).toBeLessThanOrEqual(2);
  });

  it('a key that waits again goes to the back of the round', async () => {
    const turns = new FairTurns();
    const order: string[] = [];
    const slices = async (key: string, n: number) => {
      for (let i = 0; i < n; i++) {
        await turns.take(key);
        order.push(key);
      }
    };
    await Promise.all([slices('A', 3), slices('B', 3)]);
    expect(order).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
  });
});
