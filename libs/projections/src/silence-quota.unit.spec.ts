import { AlertBook, type Silence } from '@aidwatch/alerts';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { SilenceQuota, SilenceQuotaExceededError, silenceQuotaStream } from './alert-book.projection';

const silence = (n: number, endsAt: string, tenant = 'WFP'): Silence => ({
  silenceId: `s-${n}`,
  matchers: [{ name: 'rule', value: 'ais-gap', isRegex: false, isEqual: true }],
  startsAt: '2026-12-01T00:00:00.000Z',
  endsAt,
  createdBy: 'dashboard:wfp',
  comment: 'maintenance',
  tenant,
});

describe('the silence quota of an organisation', () => {
  it('counts the unexpired reservations, and reads only the tail of the stream after the first creation', async () => {
    const store = new InMemoryEventStore();
    const book = new AlertBook();
    const quota = new SilenceQuota(store, () => book);
    const reads: Array<number | undefined> = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push(options?.fromRevision);
      return readStream(stream, options);
    };
    const now = '2026-12-05T00:00:00.000Z';
    await quota.reserve(silence(1, '2026-12-05T01:00:00.000Z'), 2, now);
    await quota.reserve(silence(2, '2026-12-06T00:00:00.000Z'), 2, now);
    await expect(quota.reserve(silence(3, '2026-12-06T00:00:00.000Z'), 2, now)).rejects.toThrow(
      SilenceQuotaExceededError,
    );
    // Another organisation has a quota of its own.
    await quota.reserve(silence(4, '2026-12-06T00:00:00.000Z', 'FAO'), 2, now);
    // An hour later the first has ended: a place is free again.
    await quota.reserve(silence(5, '2026-12-06T00:00:00.000Z'), 2, '2026-12-05T02:00:00.000Z');
    expect((await store.readStream(silenceQuotaStream('WFP'))).length).toBe(3);
    // Each read of WFP's stream started after what the one before had seen.
    expect(reads.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('two quota objects on one store (two API processes) never hold more than the limit together', async () => {
    const store = new InMemoryEventStore();
    const book = new AlertBook();
    const a = new SilenceQuota(store, () => book);
    const b = new SilenceQuota(store, () => book);
    const now = '2026-12-05T00:00:00.000Z';
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserve(silence(i, '2026-12-06T00:00:00.000Z'), 3, now),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(3);
    expect((await store.readStream(silenceQuotaStream('WFP'))).length).toBe(3);
  });
});
