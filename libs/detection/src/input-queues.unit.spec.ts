import { DeadlineQueue } from './diversion/deadline-queue';
import { InputClocks, inputIdOf } from './input-clocks';
import { InputQueues } from './input-queues';

const HOUR = 3_600_000;

describe('input queues: subjects wait on the input holding their clock back', () => {
  const setUp = () => {
    const clocks = new InputClocks(6 * HOUR);
    const queues = new InputQueues<string, DeadlineQueue>(clocks, () => new DeadlineQueue());
    const a = clocks.input(inputIdOf('/feeds/a', 't/0'));
    const b = clocks.input(inputIdOf('/feeds/b', 't/0'));
    return { clocks, queues, a, b };
  };

  it('a subject is due once its home input’s watermark reaches its time, not another input’s', () => {
    const { clocks, queues, a, b } = setUp();
    clocks.observe(a, 0, 0);
    clocks.observe(b, 0, 0);
    queues.of(a).schedule('C-1', 2 * HOUR);
    clocks.observe(b, 3 * HOUR, 0);
    expect(queues.isDue(a)).toBe(false);
    expect(queues.takeDue(a)).toEqual([]);
    expect(queues.isDue(b)).toBe(false);
    clocks.observe(a, 2 * HOUR, 0);
    expect(queues.isDue(a)).toBe(true);
    expect(queues.takeDue(a)).toEqual(['C-1']);
    expect(queues.takeDue(a)).toEqual([]);
  });

  it('an idle input’s subjects are due by its effective watermark, the idle bound behind the others', () => {
    const { clocks, queues, a, b } = setUp();
    clocks.observe(a, 0, 0);
    queues.of(a).schedule('C-1', 2 * HOUR);
    clocks.observe(b, 7 * HOUR, 0);
    expect(clocks.isIdle(a)).toBe(true);
    expect(queues.isDue(a)).toBe(false);
    clocks.observe(b, 8 * HOUR, 0);
    expect(queues.takeDue(a)).toEqual(['C-1']);
  });

  it('release hands every waiting subject, whatever its time, to be homed again, input after input', () => {
    const { queues, a, b } = setUp();
    queues.of(b).schedule('C-2', 5 * HOUR);
    queues.of(a).schedule('C-1', 9 * HOUR);
    queues.of(a).schedule('C-0', 1 * HOUR);
    const seen: Array<[string, string]> = [];
    queues.release([a, b], (c, from) => seen.push([c, from.id]));
    expect(seen).toEqual([
      ['C-0', a.id],
      ['C-1', a.id],
      ['C-2', b.id],
    ]);
    expect(queues.get(a)?.size).toBe(0);
  });

  it('lists the inputs with a queue in creation order, or by id', () => {
    const { clocks, queues, a, b } = setUp();
    expect(queues.get(a)).toBeUndefined();
    queues.of(b);
    queues.of(a);
    queues.of(b);
    expect([...queues.inputs()]).toEqual([b, a]);
    expect(queues.inputsById()).toEqual([a, b]);
    expect(queues.takeDue(clocks.input('/feeds/none'))).toEqual([]);
  });
});
