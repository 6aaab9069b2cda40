import { randomUUID } from 'node:crypto';
import type { EventClassification } from '@aidwatch/alerts';
import { InMemoryEventStore, type StoredEvent } from '@aidwatch/event-store';
import { ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import { SqliteWebhookStore } from './sqlite-webhook-store';
import { WebhookOutboxProjection, outboxNameOf } from './webhook-outbox';
import { WebhookOutboxes } from './webhook-outboxes';
import type { NewDelivery, WebhookStore } from './webhook-store.port';

/*
 * Each organisation's outbox follows the store at its own pace: a backlog of one organisation's alerts, slow to
 * turn into deliveries (many subscriptions, a slow database), does not hold back another organisation's
 * deliveries of alerts recorded after it, and each outbox adds only its own organisation's deliveries (the
 * operators' outbox, subscriptions of no organisation, those of every alert).
 */

const ORG_A = 'World Food Programme';
const ORG_B = 'UNICEF';

function classification(eventId: string, organisation: string): EventClassification {
  return {
    eventId,
    alertId: `alert-${eventId}`,
    type: 'aidwatch.flag.raised.v1',
    labels: {
      rule: ['quantity-shrinkage'],
      severity: ['high'],
      consignmentId: [`C-${eventId}`],
      vessel: [],
      exemptionId: ['EX-1'],
      organisation: [organisation],
    },
    reason: 'raised',
    silencedBy: [],
    inhibitedBy: [],
    notify: true,
    changed: true,
    silencing: [],
    inhibiting: [],
  } as unknown as EventClassification;
}

/** A webhook store whose inserts for one organisation's subscriptions take `delayMs` each (a slow database). */
function slowFor(store: WebhookStore, slow: Set<string>, delayMs: number): WebhookStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'enqueueMany')
        return async (deliveries: readonly NewDelivery[]) => {
          if (deliveries.some((d) => slow.has(d.subscriptionId)))
            await new Promise((r) => setTimeout(r, delayMs));
          return target.enqueueMany(deliveries);
        };
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('WebhookOutboxes: one outbox per organisation', () => {
  let events: InMemoryEventStore;
  let base: SqliteWebhookStore;
  let outboxes: WebhookOutboxes;
  const organisationOf = new Map<string, string>();
  const tagOf = new Map<string, string>();

  beforeEach(() => {
    events = new InMemoryEventStore();
    base = new SqliteWebhookStore(':memory:');
  });
  afterEach(async () => {
    await outboxes?.stop();
    await base.close();
  });

  async function record(organisation: string, n: number, tag: string): Promise<void> {
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      organisationOf.set(id, organisation);
      tagOf.set(id, tag);
      await events.append(`flag-${tag}-${i}`, [{ id, type: 'aidwatch.flag.raised.v1', data: { id } }]);
    }
  }

  function start(store: WebhookStore): void {
    const checkpoints = new SqliteCheckpointStore(':memory:');
    outboxes = new WebhookOutboxes((tenant) => {
      const projection = new WebhookOutboxProjection(
        {
          store,
          classify: (id) => Promise.resolve(classification(id, organisationOf.get(id) as string)),
          isFolded: () => true,
          creatorRevoked: () => Promise.resolve(false),
          payloadFor: (stored: StoredEvent) => Promise.resolve(JSON.stringify({ id: stored.id })),
          labelsFor: (labels) => labels,
          enqueued: () => undefined,
        },
        tenant,
      );
      const runner = new ProjectionRunner(events, checkpoints, projection, {
        checkpointEveryEvents: 50,
        checkpointEveryMs: 1000,
        restartAfterMs: 100,
      });
      return { projection, runner };
    });
  }

  async function subscribe(store: WebhookStore, id: string, tenant?: string): Promise<void> {
    await store.addSubscription({
      subscriptionId: id,
      url: `https://receiver.example/${id}`,
      secret: 'whsec_dGVzdA==',
      filters: {},
      ...(tenant === undefined ? {} : { tenant }),
      createdBy: 'key:test',
      createdAt: '2000-01-01T00:00:00.000Z',
    });
  }

  const count = async (id: string) => (await base.deliveries(id)).length;

  async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("a backlog of one organisation's alerts does not hold back another's delivery recorded after it", async () => {
    const store = slowFor(base, new Set(['a-1']), 40);
    await subscribe(store, 'a-1', ORG_A);
    await subscribe(store, 'b-1', ORG_B);
    await subscribe(store, 'ops', undefined);
    await record(ORG_A, 60, 'flood');
    await record(ORG_B, 1, 'after');
    start(store);
    outboxes.ensure(await store.subscriptions());
    outboxes.start();
    expect(outboxes.names()).toEqual(
      [outboxNameOf(undefined), outboxNameOf(ORG_B), outboxNameOf(ORG_A)].sort(),
    );

    const floodAtB = await until(
      async () => ((await count('b-1')) > 0 ? count('a-1') : undefined),
      "B's delivery",
    );
    // 60 inserts of 40 ms each: B's outbox passed them all without writing and added its delivery meanwhile.
    expect(floodAtB).toBeLessThan(30);
    await until(async () => ((await count('a-1')) === 60 ? true : undefined), "A's deliveries");
    // Each outbox adds only its own organisation's deliveries; the operators' outbox every alert's.
    expect(await count('b-1')).toBe(1);
    expect((await base.deliveries('a-1')).every((d) => tagOf.get(d.eventId) === 'flood')).toBe(true);
    await until(async () => ((await count('ops')) === 61 ? true : undefined), "operators' deliveries");
    // Caught up, every outbox reports no lag (at its next look: the lag follows the runners' positions).
    await until(async () => ((await outboxes.lagSeconds()) === 0 ? true : undefined), 'no lag');
  });

  it("an organisation's first subscription, seen later, starts its outbox from the beginning", async () => {
    const store = base;
    await record(ORG_B, 3, 'early');
    start(store);
    outboxes.start();
    expect(outboxes.names()).toEqual([outboxNameOf(undefined)]);
    await subscribe(store, 'b-late', ORG_B);
    outboxes.invalidate();
    outboxes.ensure(await store.subscriptions());
    await until(
      async () => ((await count('b-late')) === 3 ? true : undefined),
      "the late subscription's deliveries",
    );
    // Ensuring again starts nothing twice.
    outboxes.ensure(await store.subscriptions());
    expect(outboxes.names()).toEqual([outboxNameOf(undefined), outboxNameOf(ORG_B)].sort());
    expect(outboxes.running()).toBe(true);
  });
});
