import { chainHash, chainLinkOf, unchainedMetadata } from '../chain';
import { START_POSITION, type StoredEvent } from '../event-store.port';
import { ids, newEvent, type ContractContext } from './contract-context';

export function readStreamCases(ctx: ContractContext): void {
  describe('reading a stream', () => {
    const positions = () =>
      Array.from({ length: 5 }, (_, i) => newEvent(`${ctx.ns}.vessel.position`, { seq: i }));
    const revisions = (events: StoredEvent[]) => events.map((event) => event.revision);

    it('an unknown stream reads as empty, in both directions', async () => {
      expect(await ctx.store.readStream(`${ctx.ns}-vessel-unknown`)).toEqual([]);
      expect(await ctx.store.readStream(`${ctx.ns}-vessel-unknown`, { direction: 'backwards' })).toEqual([]);
      expect(await ctx.store.readAll({ filter: { streamPrefixes: [`${ctx.ns}-vessel-unknown`] } })).toEqual(
        [],
      );
    });

    it('reads forwards from a revision, at most maxCount events', async () => {
      const stream = `${ctx.ns}-vessel-1`;
      await ctx.store.append(stream, positions(), 'no_stream');

      expect(revisions(await ctx.store.readStream(stream))).toEqual([0, 1, 2, 3, 4]);
      expect(revisions(await ctx.store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
      expect(revisions(await ctx.store.readStream(stream, { maxCount: 2 }))).toEqual([0, 1]);
      expect(revisions(await ctx.store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
      expect(await ctx.store.readStream(stream, { fromRevision: 9 })).toEqual([]);
      expect(await ctx.store.readStream(stream, { maxCount: 0 })).toEqual([]);
    });

    it('reads backwards from the end or from a revision', async () => {
      const stream = `${ctx.ns}-vessel-2`;
      await ctx.store.append(stream, positions(), 'no_stream');

      expect(revisions(await ctx.store.readStream(stream, { direction: 'backwards' }))).toEqual([
        4, 3, 2, 1, 0,
      ]);
      expect(
        revisions(
          await ctx.store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 }),
        ),
      ).toEqual([3, 2]);
      expect(revisions(await ctx.store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([
        4,
      ]);
    });

    it('orders a stream by revision as a number past 9 and 99, in pages and in both directions', async () => {
      const stream = `${ctx.ns}-vessel-long`;
      const events = Array.from({ length: 120 }, (_, i) => newEvent(`${ctx.ns}.vessel.position`, { seq: i }));
      await ctx.store.append(stream, events, 'no_stream');
      const all = Array.from({ length: 120 }, (_, i) => i);

      expect(revisions(await ctx.store.readStream(stream))).toEqual(all);
      expect(revisions(await ctx.store.readStream(stream, { maxCount: 12 }))).toEqual(all.slice(0, 12));
      expect(revisions(await ctx.store.readStream(stream, { fromRevision: 2, maxCount: 10 }))).toEqual(
        all.slice(2, 12),
      );
      expect(revisions(await ctx.store.readStream(stream, { direction: 'backwards', maxCount: 3 }))).toEqual([
        119, 118, 117,
      ]);
      expect(
        revisions(
          await ctx.store.readStream(stream, { direction: 'backwards', fromRevision: 101, maxCount: 4 }),
        ),
      ).toEqual([101, 100, 99, 98]);
    });

    it('gives back what was appended: id, type, stream, data and metadata as JSON, and when it was recorded', async () => {
      const stream = `${ctx.ns}-consignment-1`;
      const data = {
        consignmentId: 'C-1',
        items: [{ itemCode: 'RICE-25KG', quantity: 1200.5, unit: 'bag' }],
        note: 'Nampo — ünïcødé ✓',
        checked: true,
        remarks: null,
      };
      const event = newEvent(`${ctx.ns}.consignment.registered`, data, {
        correlationId: 'c-9',
        source: 'wfp',
      });
      await ctx.store.append(stream, [event, newEvent(`${ctx.ns}.consignment.bare`)], 'no_stream');

      const [stored, bare] = await ctx.store.readStream(stream);

      expect(stored).toMatchObject({ id: event.id, type: event.type, streamId: stream, revision: 0, data });
      expect(unchainedMetadata(stored.metadata)).toEqual({ correlationId: 'c-9', source: 'wfp' });
      expect(unchainedMetadata(bare.metadata)).toEqual({});
      expect(new Date(stored.recordedAt).toISOString()).toBe(stored.recordedAt);
      expect(typeof stored.position).toBe('string');
    });
  });
}

export function chainCases(ctx: ContractContext): void {
  describe('chaining each stream (tamper evidence)', () => {
    it('links every event to the previous one of its stream, across appends, with a hash of its content', async () => {
      const stream = `${ctx.ns}-consignment-chain`;
      await ctx.store.append(stream, [newEvent(`${ctx.ns}.consignment.a`, { n: 1 }, { source: 'wfp' })]);
      await ctx.store.append(stream, [
        newEvent(`${ctx.ns}.consignment.b`, { n: 2 }),
        newEvent(`${ctx.ns}.c`),
      ]);
      await ctx.store.append(`${ctx.ns}-other`, [newEvent(`${ctx.ns}.other`, { n: 3 })]);

      const events = await ctx.store.readStream(stream);
      const links = events.map((event) => chainLinkOf(event.metadata));
      expect(links.map((link) => link?.previous)).toEqual([null, links[0]?.hash, links[1]?.hash]);
      for (const [index, event] of events.entries()) {
        const content = { ...event, metadata: unchainedMetadata(event.metadata) };
        expect(links[index]?.hash).toBe(chainHash(links[index]?.previous ?? null, content));
      }
      const [other] = await ctx.store.readStream(`${ctx.ns}-other`);
      expect(chainLinkOf(other.metadata)?.previous).toBeNull();
    });
  });
}

export function readAllCases(ctx: ContractContext): void {
  describe('reading all streams', () => {
    /** Appends, across three streams: a1 (a, loaded), b1 (b, departed), a2 (a, loaded), c1 (c, vessel). */
    async function givenThreeStreams() {
      const after = (await ctx.store.headPosition()) ?? undefined;
      const a1 = newEvent(`${ctx.ns}.consignment.loaded`);
      const b1 = newEvent(`${ctx.ns}.consignment.departed`);
      const a2 = newEvent(`${ctx.ns}.consignment.loaded`);
      const c1 = newEvent(`${ctx.ns}.vessel.position`);
      await ctx.store.append(`${ctx.ns}-a`, [a1]);
      await ctx.store.append(`${ctx.ns}-b`, [b1]);
      const lastA = await ctx.store.append(`${ctx.ns}-a`, [a2]);
      const lastC = await ctx.store.append(`${ctx.ns}-c`, [c1]);
      return { after, a1, b1, a2, c1, lastA, lastC, ours: { streamPrefixes: [`${ctx.ns}-`] } };
    }

    it('reads in global order, strictly after the given position', async () => {
      const { after, a1, b1, a2, c1, ours } = await givenThreeStreams();

      const all = await ctx.store.readAll({ after, filter: ours });
      const afterB1 = await ctx.store.readAll({ after: all[1].position, filter: ours });

      expect(ids(all)).toEqual(ids([a1, b1, a2, c1]));
      expect(ids(afterB1)).toEqual(ids([a2, c1]));
    });

    it('START_POSITION ("0") reads from the beginning, as no position does', async () => {
      const { a1, b1, a2, c1, ours } = await givenThreeStreams();

      const fromStart = await ctx.store.readAll({ after: START_POSITION, filter: ours });

      expect(ids(fromStart)).toEqual(ids([a1, b1, a2, c1]));
      expect(fromStart).toEqual(await ctx.store.readAll({ filter: ours }));
    });

    it('the position an append reports and the head are those of the last event written', async () => {
      const { after, lastA, lastC, ours } = await givenThreeStreams();

      const all = await ctx.store.readAll({ after, filter: ours });

      expect(lastA.position).toBe(all[2].position);
      expect(lastC.position).toBe(all[3].position);
      expect(await ctx.store.headPosition()).toBe(all[3].position);
      expect(await ctx.store.readAll({ after: lastC.position ?? undefined, filter: ours })).toEqual([]);
    });

    it('pages with maxCount without gaps or repeats', async () => {
      const { after, a1, b1, a2, c1, ours } = await givenThreeStreams();

      const pages: string[][] = [];
      let cursor = after;
      // Bounded, so a store that never advances fails instead of looping.
      for (let round = 0; round < 10; round++) {
        const page = await ctx.store.readAll({ after: cursor, maxCount: 3, filter: ours });
        if (page.length === 0) break;
        pages.push(ids(page));
        cursor = page[page.length - 1].position;
      }

      expect(pages).toEqual([ids([a1, b1, a2]), ids([c1])]);
    });

    it('filters by event type prefixes and by stream prefixes (any prefix of a list, both lists together)', async () => {
      const { after, a1, b1, a2, c1 } = await givenThreeStreams();
      const read = (eventTypePrefixes?: string[], streamPrefixes?: string[]) =>
        ctx.store.readAll({ after, filter: { eventTypePrefixes, streamPrefixes } }).then(ids);

      expect(await read([`${ctx.ns}.consignment.`])).toEqual(ids([a1, b1, a2]));
      expect(await read([`${ctx.ns}.vessel.`, `${ctx.ns}.consignment.dep`])).toEqual(ids([b1, c1]));
      expect(await read(undefined, [`${ctx.ns}-a`, `${ctx.ns}-c`])).toEqual(ids([a1, a2, c1]));
      expect(await read([`${ctx.ns}.consignment.`], [`${ctx.ns}-b`, `${ctx.ns}-c`])).toEqual(ids([b1]));
      expect(await read([`${ctx.ns}.nothing`])).toEqual([]);
    });

    it('without a filter returns every event after the position and no store-internal ones', async () => {
      const { after, a1, b1, a2, c1 } = await givenThreeStreams();

      const all = await ctx.store.readAll({ after });

      expect(ids(all.filter((event) => event.streamId.startsWith(`${ctx.ns}-`)))).toEqual(
        ids([a1, b1, a2, c1]),
      );
      expect(all.filter((event) => event.type.startsWith('$') || event.streamId.startsWith('$'))).toEqual([]);
    });

    const onEmptyStore = ctx.options.startsEmpty ? it : it.skip;
    onEmptyStore('an empty store has no head position and reads as empty (needs a fresh store)', async () => {
      expect(await ctx.store.headPosition()).toBeNull();
      expect(await ctx.store.readAll()).toEqual([]);
    });
  });
}
