import { INPUT_QUIET_TYPE, type InputQuiet } from '@aidwatch/domain';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { InputQuietWatch } from './input-quiet-watch';

describe('InputQuietWatch', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const markers = async (store: InMemoryEventStore, source: string) =>
    (await store.readStream(`input-${source}`))
      .filter((s) => s.type === INPUT_QUIET_TYPE)
      .map((s) => (s.data as InputQuiet).data);

  it('writes one marker per quiet period of each source, re-armed by every report', async () => {
    const store = new InMemoryEventStore();
    const outcomes: boolean[] = [];
    const watch = new InputQuietWatch(store, { quietMs: 2000 }, (ok) => outcomes.push(ok));
    watch.heard(['/ais/a', '/ais/b']);
    await jest.advanceTimersByTimeAsync(1500);
    watch.heard(['/ais/a']); // a speaks again: its quiet period starts over
    await jest.advanceTimersByTimeAsync(600);
    expect(await markers(store, '/ais/b')).toEqual([
      { source: '/ais/b', at: '2026-12-01T00:00:02.000Z', quietMs: 2000 },
    ]);
    expect(await markers(store, '/ais/a')).toEqual([]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(await markers(store, '/ais/a')).toEqual([
      { source: '/ais/a', at: '2026-12-01T00:00:03.500Z', quietMs: 2000 },
    ]);
    // Quiet goes on: no second marker until the source speaks again.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await markers(store, '/ais/a')).toHaveLength(1);
    watch.heard(['/ais/a']);
    await jest.advanceTimersByTimeAsync(2000);
    expect(await markers(store, '/ais/a')).toHaveLength(2);
    expect(outcomes).toEqual([true, true, true]);
    expect(watch.armed).toBe(0);
  });

  it('writes the markers still pending when stopped, then none, and reports a failed append', async () => {
    const store = new InMemoryEventStore();
    const outcomes: boolean[] = [];
    const watch = new InputQuietWatch(store, { quietMs: 1000 }, (ok) => outcomes.push(ok));
    watch.heard(['/ais/a']);
    await jest.advanceTimersByTimeAsync(300);
    await watch.stop();
    expect(await markers(store, '/ais/a')).toEqual([
      { source: '/ais/a', at: '2026-12-01T00:00:00.300Z', quietMs: 300 },
    ]);
    watch.heard(['/ais/b']);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await markers(store, '/ais/a')).toHaveLength(1);
    expect(await markers(store, '/ais/b')).toEqual([]);
    outcomes.length = 0;

    const failing = new InputQuietWatch(
      { appendMany: () => Promise.reject(new Error('store down')) } as unknown as InMemoryEventStore,
      { quietMs: 1000 },
      (ok) => outcomes.push(ok),
    );
    failing.heard(['/ais/a']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(outcomes).toEqual([false]);
  });
});
