import { DeadlineWheel, type Scheduled } from './deadline-wheel';

interface Item extends Scheduled {
  id: string;
}
const item = (id: string): Item => ({ id, dueKey: -1 });

describe('deadline wheel', () => {
  it('reports nothing before the earliest deadline and every due item after it', () => {
    const wheel = new DeadlineWheel<Item>(60_000);
    const [a, b, c] = [item('a'), item('b'), item('c')];
    wheel.schedule(a, 5 * 60_000);
    wheel.schedule(b, 2 * 60_000 + 1);
    wheel.schedule(c, 9 * 60_000);
    expect(wheel.nextDueAt).toBe(3 * 60_000);
    expect(wheel.takeDue(3 * 60_000 - 1)).toEqual([]);
    expect(wheel.takeDue(5 * 60_000).map((i) => i.id)).toEqual(['b', 'a']);
    expect(wheel.nextDueAt).toBe(9 * 60_000);
  });

  it('skips an item left behind in an old bucket after it was moved', () => {
    const wheel = new DeadlineWheel<Item>(1000);
    const a = item('a');
    wheel.schedule(a, 10_000);
    wheel.schedule(a, 3_000);
    wheel.scheduleNoLater(a, 20_000);
    expect(wheel.takeDue(5_000).map((i) => i.id)).toEqual(['a']);
    expect(wheel.takeDue(50_000)).toEqual([]);
    wheel.schedule(a, 60_000);
    wheel.scheduleNoLater(a, 55_000);
    expect(wheel.takeDue(55_000).map((i) => i.id)).toEqual(['a']);
  });

  it('keeps many buckets in deadline order', () => {
    const wheel = new DeadlineWheel<Item>(1);
    const due = [7, 3, 9, 1, 4, 8, 2, 6, 5, 0];
    for (const d of due) wheel.schedule(item(String(d)), d);
    expect(wheel.takeDue(100).map((i) => i.id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
