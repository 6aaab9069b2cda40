import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EmbeddedEventStore,
  InMemoryEventStore,
  type EventStore,
  type ReadAllOptions,
  type StoredEvent,
} from '@aidwatch/event-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

/** Takes the `keep.*` events; each apply waits while `hold` is set. */
class KeepProjection implements Projection {
  readonly name = 'keep';
  readonly filter = { eventTypePrefixes: ['keep.'] };
  applied: string[] = [];
  hold: Promise<void> | undefined;
  async apply(event: StoredEvent): Promise<void> {
    await this.hold;
    this.applied.push(event.position);
  }
  snapshot(): unknown {
    return this.applied;
  }
  restore(snapshot: unknown): void {
    this.applied = [...(snapshot as string[])];
  }
  reset(): void {
    this.applied = [];
  }
}

const event = (type: string) => ({ id: randomUUID(), type, data: {} });

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The store with the `after` of every `readAll` recorded. */
function recordReads(store: EventStore) {
  const afters: Array<string | undefined> = [];
  const recorded = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (name === 'readAll')
        return (options?: ReadAllOptions) => {
          afters.push(options?.after);
          return target.readAll(options);
        };
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { store: recorded, afters };
}

describe('CatchUpSubscription.settledPosition', () => {
  it('is the examined position once the consumer has taken a whole page, not before', async () => {
    const store = new InMemoryEventStore({ pageSize: 3 });
    for (const type of ['keep.a', 'skip.a', 'keep.b', 'keep.c', 'skip.b', 'skip.c'])
      await store.append(`s-${randomUUID()}`, [event(type)]);
    const subscription = store.subscribeToAll({ filter: { eventTypePrefixes: ['keep.'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value.type).toBe('keep.a');
    expect(subscription.settledPosition?.()).toBeUndefined();
    expect((await iterator.next()).value.type).toBe('keep.b');
    expect((await iterator.next()).value.type).toBe('keep.c');
    // The page of three matching events was examined to keep.c; it is settled once the consumer asks for more.
    expect(subscription.settledPosition?.()).toBeUndefined();
    const next = iterator.next();
    await until(() => subscription.settledPosition?.() === '6');
    await subscription.close();
    expect((await next).done).toBe(true);
  });
});

describe('ProjectionRunner.backlog on a store full of events the projection does not select', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-backlog-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads after what the subscription examined, and still tells a pending event from none', async () => {
    const inner = new EmbeddedEventStore({ path: path.join(dir, 'events.sqlite') });
    const { store, afters } = recordReads(inner);
    const projection = new KeepProjection();
    const runner = new ProjectionRunner(store, new SqliteCheckpointStore(':memory:'), projection, {
      checkpointEveryEvents: 1_000_000,
      checkpointEveryMs: 60_000,
    });
    try {
      await inner.append('consignment-1', [event('keep.registered')]);
      runner.start();
      await until(() => projection.applied.length === 1);
      for (let i = 0; i < 20; i++)
        await inner.append(
          `vessel-${i}`,
          Array.from({ length: 100 }, () => event('skip.position')),
        );
      const head = (await inner.headPosition())!;
      // The subscription examines the skipped events (woken by their appends) and hands over none.
      await until(() => runner['subscription']?.settledPosition?.() === head);

      afters.length = 0;
      expect(await runner.backlog()).toEqual({ catchingUp: false, lagSeconds: 0 });
      // Not after the last event taken (position 1): the 2,000 skipped events are not examined again.
      expect(afters).toEqual([head]);

      // A matching event held in apply is pending, however many events were skipped before it.
      let release!: () => void;
      projection.hold = new Promise<void>((resolve) => (release = resolve));
      await inner.append('consignment-2', [event('keep.registered')]);
      await until(() => runner['inFlight'] !== undefined);
      expect((await runner.backlog()).catchingUp).toBe(true);
      release();
      await until(() => projection.applied.length === 2);
      for (const deadline = Date.now() + 10_000; await runner.catchingUp();)
        if (Date.now() > deadline) throw new Error('still catching up');
    } finally {
      await runner.stop();
      await inner.close();
    }
  });
});
