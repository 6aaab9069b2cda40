import { START_POSITION } from '../event-store.port';
import { Collector, ids, newEvent, within, type ContractContext } from './contract-context';

export function subscriptionCases(ctx: ContractContext): void {
  describe('catch-up subscription', () => {
    const loaded = () => newEvent(`${ctx.ns}.consignment.loaded`);
    const position = () => newEvent(`${ctx.ns}.vessel.position`);

    it('delivers history, then live appends, in global order, none missing and none repeated', async () => {
      const after = (await ctx.store.headPosition()) ?? undefined;
      const ours = { streamPrefixes: [`${ctx.ns}-`] };
      await ctx.store.append(`${ctx.ns}-a`, [loaded(), loaded()], 'no_stream');
      await ctx.store.append(`${ctx.ns}-b`, [position()], 'no_stream');
      const subscription = ctx.store.subscribeToAll({ after, filter: ours });
      const collector = new Collector(subscription);

      expect(await collector.until(3)).toHaveLength(3);
      await ctx.store.append(`${ctx.ns}-a`, [loaded()], 1);
      await Promise.all([
        ctx.store.append(`${ctx.ns}-b`, [position(), position()]),
        ctx.store.append(`${ctx.ns}-c`, [loaded()]),
        ctx.store.append(`${ctx.ns}-a`, [loaded()]),
      ]);
      await collector.until(8);
      // Anything repeated or unexpected would arrive before this last event.
      await ctx.store.append(`${ctx.ns}-z`, [loaded()]);
      const received = await collector.until(9);

      const stored = await ctx.store.readAll({ after, filter: ours });
      expect(stored).toHaveLength(9);
      expect(ids(received)).toEqual(ids(stored));
      expect(received).toEqual(stored);
      await subscription.close();
      await within(collector.finished, 5000, 'the end of the iteration after close()');
    });

    it('starts strictly after the given position', async () => {
      const stream = `${ctx.ns}-a`;
      const [a, b, c, d] = [loaded(), loaded(), loaded(), loaded()];
      await ctx.store.append(stream, [a, b, c], 'no_stream');
      const [, storedB] = await ctx.store.readStream(stream);

      const collector = new Collector(
        ctx.store.subscribeToAll({ after: storedB.position, filter: { streamPrefixes: [stream] } }),
      );
      await collector.until(1);
      await ctx.store.append(stream, [d], 2);
      const received = await collector.until(2);

      expect(ids(received)).toEqual(ids([c, d]));
    });

    it('after START_POSITION ("0") starts at the beginning of the log', async () => {
      const stream = `${ctx.ns}-a`;
      const [a, b] = [loaded(), loaded()];
      await ctx.store.append(stream, [a, b], 'no_stream');

      const collector = new Collector(
        ctx.store.subscribeToAll({ after: START_POSITION, filter: { streamPrefixes: [stream] } }),
      );
      const received = await collector.until(2);

      expect(ids(received)).toEqual(ids([a, b]));
    });

    it('applies its filter to history and to live events alike', async () => {
      const after = (await ctx.store.headPosition()) ?? undefined;
      const [l1, l2, l3] = [loaded(), loaded(), loaded()];
      await ctx.store.append(`${ctx.ns}-a`, [l1, position()]);
      const subscription = ctx.store.subscribeToAll({
        after,
        filter: { eventTypePrefixes: [`${ctx.ns}.consignment.`] },
      });
      const collector = new Collector(subscription);

      await collector.until(1);
      await ctx.store.append(`${ctx.ns}-b`, [position(), l2]);
      await ctx.store.append(`${ctx.ns}-c`, [position(), position(), l3]);
      const received = await collector.until(3);

      expect(ids(received)).toEqual(ids([l1, l2, l3]));
    });

    it('delivers a live append promptly', async () => {
      const after = (await ctx.store.headPosition()) ?? undefined;
      const collector = new Collector(
        ctx.store.subscribeToAll({ after, filter: { streamPrefixes: [`${ctx.ns}-`] } }),
      );
      await ctx.store.append(`${ctx.ns}-a`, [loaded()]);
      await collector.until(1);

      const started = Date.now();
      await ctx.store.append(`${ctx.ns}-a`, [loaded()]);
      await collector.until(2);

      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('settles past the events its filter skips once the consumer has taken what matched', async () => {
      const after = (await ctx.store.headPosition()) ?? undefined;
      const filter = { eventTypePrefixes: [`${ctx.ns}.consignment.`] };
      const first = loaded();
      await ctx.store.append(`${ctx.ns}-a`, [first]);
      await ctx.store.append(`${ctx.ns}-b`, [position(), position(), position()]);
      const subscription = ctx.store.subscribeToAll({ after, filter });
      // Stores that do not tell (settledPosition absent) leave the consumer reading after its last event.
      if (!subscription.settledPosition) return void (await subscription.close());
      const iterator = subscription[Symbol.asyncIterator]();
      expect((await iterator.next()).value.id).toBe(first.id);
      const next = iterator.next();
      await within(
        (async () => {
          while (subscription.settledPosition!() === undefined) await new Promise((r) => setTimeout(r, 5));
        })(),
        5000,
        'the subscription settling',
      );
      const settled = subscription.settledPosition!()!;
      // Settled past the skipped events, and nothing it selects lies after it until the next one comes.
      expect(await ctx.store.readAll({ after: settled, filter: { streamPrefixes: [`${ctx.ns}-`] } })).toEqual(
        [],
      );
      const second = loaded();
      await ctx.store.append(`${ctx.ns}-c`, [second]);
      expect(ids(await ctx.store.readAll({ after: settled, filter }))).toEqual([second.id]);
      expect((await within(next, 5000, 'the next selected event')).value.id).toBe(second.id);
      await subscription.close();
    });

    it('close() ends an iteration that is waiting for events', async () => {
      const subscription = ctx.store.subscribeToAll({
        after: (await ctx.store.headPosition()) ?? undefined,
        filter: { streamPrefixes: [`${ctx.ns}-`] },
      });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 100));

      await subscription.close();

      expect(await within(next, 5000, 'the end of the iteration')).toEqual({ done: true, value: undefined });
    });

    it('closing the store ends its subscriptions', async () => {
      const collector = new Collector(
        ctx.store.subscribeToAll({
          after: (await ctx.store.headPosition()) ?? undefined,
          filter: { streamPrefixes: [`${ctx.ns}-`] },
        }),
      );
      await ctx.store.append(`${ctx.ns}-a`, [loaded()]);
      await collector.until(1);

      await ctx.store.close();

      await within(collector.finished, 5000, 'the end of the iteration after the store closed');
    });
  });
}

export function restartCases(ctx: ContractContext): void {
  const durable = ctx.options.durable ? it : it.skip;
  describe('restart', () => {
    durable(
      'after a restart revisions continue, ids stay idempotent, and a subscription from a saved position gets only newer events (needs a durable adapter)',
      async () => {
        const stream = `${ctx.ns}-consignment-1`;
        const ours = { streamPrefixes: [`${ctx.ns}-`] };
        const [a, b, c, d] = [1, 2, 3, 4].map((n) => newEvent(`${ctx.ns}.consignment.step`, { n }));
        const before = (await ctx.store.headPosition()) ?? undefined;
        await ctx.store.append(stream, [a, b], 'no_stream');
        const saved = (await ctx.store.readAll({ after: before, filter: ours }))[1].position;

        const store = await ctx.reopen();
        const retry = await store.append(stream, [a, b], 'no_stream');
        const next = await store.append(stream, [c], 1);
        const collector = new Collector(store.subscribeToAll({ after: saved, filter: ours }));
        await collector.until(1);
        await store.append(stream, [d], 2);
        const received = await collector.until(2);

        expect(retry.appended).toBe(0);
        expect(next).toMatchObject({ nextExpectedRevision: 2, appended: 1 });
        expect(ids(await store.readStream(stream))).toEqual(ids([a, b, c, d]));
        expect(ids(await store.readAll({ after: saved, filter: ours }))).toEqual(ids([c, d]));
        expect(ids(received)).toEqual(ids([c, d]));
        expect(received.map((event) => event.revision)).toEqual([2, 3]);
      },
    );
  });
}
