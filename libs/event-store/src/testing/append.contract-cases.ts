import { WrongExpectedRevisionError } from '../event-store.port';
import { ids, newEvent, type ContractContext } from './contract-context';

export function optimisticConcurrencyCases(ctx: ContractContext): void {
  describe('optimistic concurrency', () => {
    const loaded = () => newEvent(`${ctx.ns}.consignment.loaded`, { port: 'CNDLC' });

    it('no_stream creates the stream once; a second no_stream append conflicts and writes nothing', async () => {
      const stream = `${ctx.ns}-consignment-1`;
      const first = await ctx.store.append(stream, [loaded()], 'no_stream');
      expect(first).toMatchObject({ nextExpectedRevision: 0, appended: 1 });

      const second = ctx.store.append(stream, [loaded()], 'no_stream');

      await expect(second).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(second).rejects.toMatchObject({ streamId: stream, expected: 'no_stream', actual: 0 });
      expect(await ctx.store.readStream(stream)).toHaveLength(1);
    });

    it('stream_exists conflicts on a new stream and succeeds once the stream has an event', async () => {
      const stream = `${ctx.ns}-consignment-2`;

      await expect(ctx.store.append(stream, [loaded()], 'stream_exists')).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        expected: 'stream_exists',
        actual: -1,
      });
      await ctx.store.append(stream, [loaded()], 'no_stream');
      const result = await ctx.store.append(stream, [loaded()], 'stream_exists');

      expect(result).toMatchObject({ nextExpectedRevision: 1, appended: 1 });
    });

    it('an exact revision must equal the last revision of the stream', async () => {
      const stream = `${ctx.ns}-consignment-3`;
      const [a, b, c] = [loaded(), loaded(), loaded()];
      await ctx.store.append(stream, [a], 'no_stream');
      expect(await ctx.store.append(stream, [b], 0)).toMatchObject({ nextExpectedRevision: 1, appended: 1 });

      await expect(ctx.store.append(stream, [c], 0)).rejects.toMatchObject({ expected: 0, actual: 1 });
      await expect(ctx.store.append(stream, [c], 5)).rejects.toMatchObject({ expected: 5, actual: 1 });
      await expect(ctx.store.append(`${ctx.ns}-consignment-none`, [c], 0)).rejects.toMatchObject({
        actual: -1,
      });
      expect(ids(await ctx.store.readStream(stream))).toEqual(ids([a, b]));
    });

    it('any, or no expectation at all, appends whatever the stream holds', async () => {
      const stream = `${ctx.ns}-consignment-4`;
      await ctx.store.append(stream, [loaded()], 'any');
      await ctx.store.append(stream, [loaded(), loaded()]);

      const revisions = (await ctx.store.readStream(stream)).map((event) => event.revision);

      expect(revisions).toEqual([0, 1, 2]);
    });

    it('of two writers expecting the same revision exactly one wins', async () => {
      const stream = `${ctx.ns}-consignment-5`;
      await ctx.store.append(stream, [loaded()], 'no_stream');

      const outcomes = await Promise.allSettled([
        ctx.store.append(stream, [loaded()], 0),
        ctx.store.append(stream, [loaded()], 0),
      ]);

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const [rejected] = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await ctx.store.readStream(stream)).toHaveLength(2);
    });

    it('an empty append checks the expectation and writes nothing', async () => {
      const stream = `${ctx.ns}-consignment-6`;

      expect(await ctx.store.append(stream, [], 'no_stream')).toEqual({
        nextExpectedRevision: -1,
        position: null,
        appended: 0,
      });
      await expect(ctx.store.append(stream, [], 'stream_exists')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
    });

    it('rejects an event id that is not a UUID and writes nothing of the batch', async () => {
      const stream = `${ctx.ns}-consignment-7`;

      await expect(
        ctx.store.append(stream, [loaded(), { id: 'msg-42', type: `${ctx.ns}.x`, data: {} }]),
      ).rejects.toBeInstanceOf(TypeError);
      expect(await ctx.store.readStream(stream)).toEqual([]);
    });

    it('rejects a stream id or an event type holding a lone surrogate (no UTF-8 text holds one) and writes nothing', async () => {
      const stream = `${ctx.ns}-consignment-8`;
      for (const bad of ['\ud800', '\udfff', 'x\udc00y', '\udbff\ud800']) {
        await expect(ctx.store.append(`${stream}${bad}`, [loaded()])).rejects.toThrow('lone surrogate');
        await expect(
          ctx.store.append(stream, [loaded(), { ...loaded(), type: `${ctx.ns}.x${bad}` }]),
        ).rejects.toThrow('lone surrogate');
      }
      expect(await ctx.store.readStream(stream)).toEqual([]);
      // A pair is text like any other.
      await ctx.store.append(`${stream}\ud83d\udea2`, [{ ...loaded(), type: `${ctx.ns}.ship\ud83d\udea2` }]);
      const [stored] = await ctx.store.readStream(`${stream}\ud83d\udea2`);
      expect(stored).toMatchObject({ streamId: `${stream}\ud83d\udea2`, type: `${ctx.ns}.ship\ud83d\udea2` });
    });
  });
}

/**
 * Idempotent appends, as every adapter implements them:
 * 1. A batch whose ids the stream holds consecutively, in order, right after the revision the caller
 *    expected (any position for 'any') is an exact retry: nothing is written, no conflict is raised, and
 *    the result reports the stream's current last revision and position — even if the stream moved on.
 * 2. Otherwise the expected revision is checked against the stream's current revision as usual, so a
 *    partial or reordered repeat with a stale expectation conflicts.
 * 3. When the check passes, ids the stream already holds and ids repeated within the batch are skipped;
 *    `appended` counts the events actually written.
 * Ids are UUIDs compared without regard to case and read back in lower case. The embedded and in-memory
 * stores know every id they hold (and refuse an id held by another stream); KurrentDB cannot look events up
 * by id, so its adapter applies rules 1–3 to the stream's newest events only (`idempotencyWindow`).
 */
export function idempotencyCases(ctx: ContractContext): void {
  describe('idempotent event ids', () => {
    const delivered = () => newEvent(`${ctx.ns}.delivery.recorded`, { siteId: 'S-1' });

    it('a retried batch appends nothing and does not conflict', async () => {
      const stream = `${ctx.ns}-consignment-1`;
      const batch = [delivered(), delivered()];
      const first = await ctx.store.append(stream, batch, 'no_stream');

      const retry = await ctx.store.append(stream, batch, 'no_stream');

      expect(retry).toEqual({ nextExpectedRevision: 1, position: first.position, appended: 0 });
      expect(ids(await ctx.store.readStream(stream))).toEqual(ids(batch));
    });

    it('a retry still succeeds after the stream has moved on, reporting the current revision', async () => {
      const stream = `${ctx.ns}-consignment-2`;
      const batch = [delivered(), delivered()];
      const later = delivered();
      await ctx.store.append(stream, batch, 'no_stream');
      const moved = await ctx.store.append(stream, [later], 1);

      const retry = await ctx.store.append(stream, batch, 'no_stream');
      const retryOfLater = await ctx.store.append(stream, [later], 1);

      expect(retry).toEqual({ nextExpectedRevision: 2, position: moved.position, appended: 0 });
      expect(retryOfLater).toEqual({ nextExpectedRevision: 2, position: moved.position, appended: 0 });
      expect(ids(await ctx.store.readStream(stream))).toEqual(ids([...batch, later]));
    });

    it('ids the stream already holds are skipped when they come again with new events', async () => {
      const stream = `${ctx.ns}-consignment-3`;
      const [a, b, c] = [delivered(), delivered(), delivered()];
      await ctx.store.append(stream, [a], 'no_stream');

      const withExpected = await ctx.store.append(stream, [a, b], 0);
      const withAny = await ctx.store.append(stream, [b, c], 'any');

      expect(withExpected).toMatchObject({ nextExpectedRevision: 1, appended: 1 });
      expect(withAny).toMatchObject({ nextExpectedRevision: 2, appended: 1 });
      expect(ids(await ctx.store.readStream(stream))).toEqual(ids([a, b, c]));
    });

    it('an id repeated within one batch is stored once', async () => {
      const stream = `${ctx.ns}-consignment-4`;
      const once = delivered();

      const result = await ctx.store.append(
        stream,
        [once, { ...once, data: { siteId: 'S-2' } }],
        'no_stream',
      );

      expect(result).toMatchObject({ nextExpectedRevision: 0, appended: 1 });
      expect(await ctx.store.readStream(stream)).toMatchObject([{ id: once.id, data: { siteId: 'S-1' } }]);
    });

    it('a repeat that is not an exact retry is checked against its stale expectation', async () => {
      const stream = `${ctx.ns}-consignment-5`;
      const [a, b] = [delivered(), delivered()];
      await ctx.store.append(stream, [a], 'no_stream');
      await ctx.store.append(stream, [b], 0);

      await expect(ctx.store.append(stream, [a, b], 5)).rejects.toMatchObject({ expected: 5, actual: 1 });
      await expect(ctx.store.append(stream, [b], 'no_stream')).rejects.toMatchObject({ actual: 1 });
      expect(await ctx.store.append(stream, [b, a], 1)).toMatchObject({
        nextExpectedRevision: 1,
        appended: 0,
      });
    });

    it('ids are compared without regard to case and read back in lower case', async () => {
      const stream = `${ctx.ns}-consignment-6`;
      const event = delivered();
      await ctx.store.append(stream, [{ ...event, id: event.id.toUpperCase() }], 'no_stream');

      const retry = await ctx.store.append(stream, [event], 'no_stream');

      expect(retry.appended).toBe(0);
      expect(ids(await ctx.store.readStream(stream))).toEqual([event.id.toLowerCase()]);
    });
  });
}

export function multiStreamAppendCases(ctx: ContractContext): void {
  describe('appending to several streams at once', () => {
    it('keeps the order of the writes in the global order, and each stream its revisions', async () => {
      const a = `${ctx.ns}-vessel-a`;
      const b = `${ctx.ns}-vessel-b`;
      const [a1, b1, a2, b2] = [1, 2, 3, 4].map((n) => newEvent(`${ctx.ns}.position`, { n }));
      const results = await ctx.store.appendMany([
        { streamId: a, events: [a1] },
        { streamId: b, events: [b1] },
        { streamId: a, events: [a2] },
        { streamId: b, events: [b2], expected: 0 },
      ]);

      expect(results.map((r) => r.nextExpectedRevision)).toEqual([0, 0, 1, 1]);
      const all = await ctx.store.readAll({ filter: { streamPrefixes: [`${ctx.ns}-vessel-`] } });
      expect(ids(all)).toEqual(ids([a1, b1, a2, b2]));
      expect((await ctx.store.readStream(b)).map((e) => e.revision)).toEqual([0, 1]);
    });

    it('is idempotent: repeating the same writes appends nothing', async () => {
      const a = `${ctx.ns}-vessel-c`;
      const writes = [
        { streamId: a, events: [newEvent(`${ctx.ns}.position`, { n: 1 })] },
        { streamId: `${ctx.ns}-vessel-d`, events: [newEvent(`${ctx.ns}.position`, { n: 2 })] },
      ];
      await ctx.store.appendMany(writes);
      const again = await ctx.store.appendMany(writes);

      expect(again.map((r) => r.appended)).toEqual([0, 0]);
      expect(await ctx.store.readStream(a)).toHaveLength(1);
    });
  });
}
