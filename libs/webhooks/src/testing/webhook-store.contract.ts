import { setTimeout as sleep } from 'node:timers/promises';
import type { NewDelivery, WebhookStore, WebhookSubscription } from '../webhook-store.port';

export interface WebhookStoreFixture {
  /** A store on the fixture's data, as another process would open it (no memory shared with others). */
  open(): WebhookStore;
  dispose(): Promise<void>;
}

const subscription = (id: string, createdAt = '2026-03-01T10:00:00.000Z'): WebhookSubscription => ({
  subscriptionId: id,
  url: `https://hooks.example.org/${id}`,
  secret: `whsec_${id}`,
  filters: { severity: ['high', 'critical'] },
  tenant: 'WFP',
  createdBy: 'key:k_1',
  createdAt,
});

const delivery = (subscriptionId: string, n: number): NewDelivery => ({
  deliveryId: `msg_${subscriptionId}_${n}`,
  subscriptionId,
  eventId: `event-${n}`,
  eventType: 'aidwatch.alert.firing.v1',
  payload: JSON.stringify({ n }),
  createdAt: `2026-03-01T10:00:0${n}.000Z`,
});

const NOW = '2026-03-01T12:00:00.000Z';
const attemptAt = (n: number, at = '2026-03-01T12:00:01.000Z') => ({
  attempt: n,
  at,
  statusCode: 200,
  error: null,
  durationMs: 12,
});

/** What every WebhookStore adapter does, as a jest suite; `factory` gives fresh, empty data per case. */
export function describeWebhookStoreContract(
  name: string,
  factory: () => Promise<WebhookStoreFixture>,
): void {
  describe(`${name} meets the webhook store contract`, () => {
    let fixture: WebhookStoreFixture;
    let opened: WebhookStore[] = [];
    const open = () => {
      const store = fixture.open();
      opened.push(store);
      return store;
    };
    beforeEach(async () => {
      fixture = await factory();
      opened = [];
    });
    afterEach(async () => {
      for (const store of opened) await store.close();
      await fixture.dispose();
    });

    it('keeps subscriptions for every instance; a deleted one is gone from the list', async () => {
      const a = open();
      const b = open();
      await a.addSubscription(subscription('s1'));
      await a.addSubscription({ ...subscription('s2', '2026-03-01T11:00:00.000Z'), tenant: undefined });
      expect(await b.subscription('s1')).toEqual(subscription('s1'));
      expect((await b.subscriptions()).map((s) => s.subscriptionId)).toEqual(['s1', 's2']);
      expect((await b.subscription('s2'))!.tenant).toBeUndefined();
      await b.deleteSubscription('s1', NOW);
      expect(await a.subscription('s1')).toBeUndefined();
      expect((await a.subscriptions()).map((s) => s.subscriptionId)).toEqual(['s2']);
    });

    it("enqueues an event's deliveries together, in order, each once per subscription and event", async () => {
      const a = open();
      const b = open();
      for (const id of ['s1', 's2', 's3']) await a.addSubscription(subscription(id));
      expect(await a.enqueue(delivery('s2', 1))).toBe(true);
      expect(await b.enqueueMany([delivery('s1', 1), delivery('s2', 1), delivery('s3', 1)])).toEqual([
        true,
        false,
        true,
      ]);
      expect(await a.enqueueMany([delivery('s1', 1), delivery('s3', 1)])).toEqual([false, false]);
      expect(await a.enqueueMany([])).toEqual([]);
      for (const id of ['s1', 's2', 's3'])
        expect((await a.deliveries(id)).map((d) => d.deliveryId)).toEqual([`msg_${id}_1`]);
      expect(await b.countsByStatus()).toEqual({ pending: 3 });
    });

    it('enqueues a delivery once per subscription and event, whichever instance enqueues it', async () => {
      const a = open();
      const b = open();
      await a.addSubscription(subscription('s1'));
      expect(await a.enqueue(delivery('s1', 1))).toBe(true);
      expect(await b.enqueue(delivery('s1', 1))).toBe(false);
      expect(await b.enqueue({ ...delivery('s1', 1), deliveryId: 'msg_other' })).toBe(false);
      expect(await b.enqueue(delivery('s1', 2))).toBe(true);
      const listed = await a.deliveries('s1');
      expect(listed.map((d) => d.deliveryId)).toEqual(['msg_s1_1', 'msg_s1_2']);
      expect(listed[0]).toEqual({
        deliveryId: 'msg_s1_1',
        subscriptionId: 's1',
        eventId: 'event-1',
        eventType: 'aidwatch.alert.firing.v1',
        payload: '{"n":1}',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: '2026-03-01T10:00:01.000Z',
        lastError: null,
        createdAt: '2026-03-01T10:00:01.000Z',
        deliveredAt: null,
        claimedBy: null,
        claimedUntil: null,
      });
      expect(await b.countsByStatus()).toEqual({ pending: 2 });
    });

    it('claims the oldest due delivery; one subscription has one claim at a time across instances', async () => {
      const a = open();
      const b = open();
      await a.addSubscription(subscription('s1'));
      await a.addSubscription(subscription('s2'));
      for (const n of [1, 2]) await a.enqueue(delivery('s1', n));
      await a.enqueue(delivery('s2', 3));
      expect(await a.delivery('msg_s1_1')).toMatchObject({ claimedBy: null, claimedUntil: null });
      const first = await a.claimNext('s1', NOW, 'replica-a', 60_000);
      expect(first.due?.deliveryId).toBe('msg_s1_1');
      // Who holds the claim, and until when, is visible to every instance.
      expect(first.due?.claimedBy).toBe('replica-a');
      const held = (await b.delivery('msg_s1_1'))!;
      expect(held.claimedBy).toBe('replica-a');
      expect(Date.parse(held.claimedUntil!)).toBeGreaterThan(Date.now() + 30_000);
      expect(held.claimedUntil).toBe(first.due?.claimedUntil);
      // Another instance may not send the subscription's next delivery while the first is out.
      const blocked = await b.claimNext('s1', NOW, 'replica-b', 60_000);
      expect(blocked.due).toBeUndefined();
      expect(Date.parse(blocked.nextAt!)).toBeGreaterThan(Date.now());
      // Other subscriptions are not held up.
      expect((await b.claimNext('s2', NOW, 'replica-b', 60_000)).due?.deliveryId).toBe('msg_s2_3');
      // Only the claimant records; then the next one is free for anyone.
      expect(await b.recordAttempt('msg_s1_1', attemptAt(1), { status: 'delivered' }, 'replica-b')).toBe(
        false,
      );
      expect(await a.recordAttempt('msg_s1_1', attemptAt(1), { status: 'delivered' }, 'replica-a')).toBe(
        true,
      );
      expect((await b.claimNext('s1', NOW, 'replica-b', 60_000)).due?.deliveryId).toBe('msg_s1_2');
      const done = (await b.delivery('msg_s1_1'))!;
      expect(done).toMatchObject({
        status: 'delivered',
        attempts: 1,
        deliveredAt: '2026-03-01T12:00:01.000Z',
        claimedBy: null,
        claimedUntil: null,
      });
      expect(await a.attempts('msg_s1_1')).toEqual([attemptAt(1)]);
      expect(await a.attempts('msg_s1_2')).toEqual([]);
    });

    it('concurrent claims from several instances hand each delivery to exactly one of them', async () => {
      const stores = [open(), open(), open()];
      await stores[0].addSubscription(subscription('s1'));
      for (const n of [1, 2, 3, 4, 5, 6]) await stores[0].enqueue(delivery('s1', n));
      const sent: string[] = [];
      await Promise.all(
        stores.map(async (store, i) => {
          for (let turn = 0; turn < 40; turn++) {
            const { due } = await store.claimNext('s1', NOW, `replica-${i}`, 60_000);
            if (!due) {
              if ((await store.countsByStatus()).pending === undefined) return;
              await sleep(5);
              continue;
            }
            sent.push(due.deliveryId);
            expect(
              await store.recordAttempt(
                due.deliveryId,
                attemptAt(1),
                { status: 'delivered' },
                `replica-${i}`,
              ),
            ).toBe(true);
          }
        }),
      );
      expect(sent).toEqual([1, 2, 3, 4, 5, 6].map((n) => `msg_s1_${n}`));
      expect(await stores[1].countsByStatus()).toEqual({ delivered: 6 });
    });

    it('a claim that expires (its holder died) passes to another instance, whose attempt then counts', async () => {
      const a = open();
      const b = open();
      await a.addSubscription(subscription('s1'));
      await a.enqueue(delivery('s1', 1));
      const first = await a.claimNext('s1', NOW, 'replica-a', 200);
      expect(first.due?.deliveryId).toBe('msg_s1_1');
      expect(first.expiredClaimOf).toBeUndefined();
      expect((await b.claimNext('s1', NOW, 'replica-b', 60_000)).due).toBeUndefined();
      await sleep(350);
      const taken = await b.claimNext('s1', NOW, 'replica-b', 60_000);
      expect(taken.due?.deliveryId).toBe('msg_s1_1');
      // The new holder learns whose claim expired (for its log), and everyone sees the new holder.
      expect(taken.expiredClaimOf).toBe('replica-a');
      expect((await a.delivery('msg_s1_1'))!.claimedBy).toBe('replica-b');
      expect(await a.recordAttempt('msg_s1_1', attemptAt(1), { status: 'delivered' }, 'replica-a')).toBe(
        false,
      );
      expect(await b.recordAttempt('msg_s1_1', attemptAt(1), { status: 'delivered' }, 'replica-b')).toBe(
        true,
      );
      expect((await a.delivery('msg_s1_1'))!.status).toBe('delivered');
    });

    it('a failed attempt is retried when due; a dead delivery is replayed; a deleted subscription is not claimed', async () => {
      const a = open();
      await a.addSubscription(subscription('s1'));
      await a.enqueue(delivery('s1', 1));
      await a.enqueue(delivery('s1', 2));
      const claimed = await a.claimNext('s1', NOW, 'replica-a', 60_000);
      const failed = { ...attemptAt(1), statusCode: 503, error: 'HTTP 503' };
      await a.recordAttempt(
        claimed.due!.deliveryId,
        failed,
        { status: 'pending', nextAttemptAt: '2026-03-01T12:05:00.000Z' },
        'replica-a',
      );
      // The retry is due later; the second delivery waits behind nothing but is older-due now.
      const next = await a.claimNext('s1', NOW, 'replica-a', 60_000);
      expect(next.due?.deliveryId).toBe('msg_s1_2');
      await a.recordAttempt('msg_s1_2', { ...failed, attempt: 1 }, { status: 'dead' }, 'replica-a');
      expect(await a.claimNext('s1', NOW, 'replica-a', 60_000)).toEqual({
        nextAt: '2026-03-01T12:05:00.000Z',
      });
      const retried = await a.claimNext('s1', '2026-03-01T12:05:00.000Z', 'replica-a', 60_000);
      expect(retried.due).toMatchObject({ deliveryId: 'msg_s1_1', attempts: 1, lastError: 'HTTP 503' });
      await a.recordAttempt(
        'msg_s1_1',
        attemptAt(2, '2026-03-01T12:05:01.000Z'),
        { status: 'delivered' },
        'replica-a',
      );
      expect(await a.countsByStatus()).toEqual({ delivered: 1, dead: 1 });
      expect((await a.deliveries('s1', 'dead')).map((d) => d.deliveryId)).toEqual(['msg_s1_2']);
      expect(await open().replay('s1', '2026-03-01T12:10:00.000Z', ['msg_s1_1'])).toBe(0);
      expect(await open().replay('s1', '2026-03-01T12:10:00.000Z')).toBe(1);
      expect((await a.delivery('msg_s1_2'))!).toMatchObject({
        status: 'pending',
        nextAttemptAt: '2026-03-01T12:10:00.000Z',
      });
      await a.deleteSubscription('s1', NOW);
      expect(await a.claimNext('s1', '2026-03-01T12:10:00.000Z', 'replica-a', 60_000)).toEqual({});
    });
  });
}
