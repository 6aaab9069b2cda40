import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  exemptionGranted,
} from '@aidwatch/domain/testing';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { eventually, startTestSystem, type TestSystem } from '@aidwatch/testing';

/*
 * LIMIT_RESPONSE_BYTES: a page of a stream or of a timeline carries at most that many bytes of stored events
 * (one event at least) and says where the next begins; following the pages yields every event once, in
 * order, in both directions.
 */
const LIMIT = 12_000;
const C = 'C-PAGES';

describe('pages of streams and timelines are bounded in bytes (LIMIT_RESPONSE_BYTES)', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const get = async <T>(path: string): Promise<T> => {
    const res = await system.fetch(`${system.url}${path}`);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return (await res.json()) as T;
  };
  type StreamPage = { events: Array<{ revision: number; id: string }>; next: number | null };
  type TimelinePage = { items: Array<{ id: string }>; next: string | null; previous: string | null };

  beforeAll(async () => {
    system = await startTestSystem({ LIMIT_RESPONSE_BYTES: String(LIMIT) });
    const events = [
      exemptionGranted({ id: 'g', data: { exemptionId: 'EX-P', implementingOrg: 'WFP' } }),
      consignmentRegistered({ id: 'r', subject: C, data: { consignmentId: C, exemptionId: 'EX-P' } }),
      // Events of different sizes: notes of up to 3,000 characters.
      ...Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? consignmentLoaded : consignmentDischarged)({
          id: `step-${i}`,
          subject: C,
          time: new Date(Date.parse('2026-05-01T00:00:00Z') + i * 3_600_000).toISOString(),
          data: {
            consignmentId: C,
            at: new Date(Date.parse('2026-05-01T00:00:00Z') + i * 3_600_000).toISOString(),
            note: 'n'.repeat((i * 397) % 3000),
          } as never,
        }),
      ),
    ];
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: system.keys.producer,
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(202);
  });
  afterAll(() => system?.stop());

  it('a stream read page by page, forwards and backwards, is the whole stream once, each page within the limit', async () => {
    const stored = await system.app.get<EventStore>(EVENT_STORE).readStream(`consignment-${C}`);
    expect(stored.length).toBe(41);
    for (const direction of ['forwards', 'backwards'] as const) {
      const seen: string[] = [];
      let from: number | null = direction === 'forwards' ? 0 : stored.length - 1;
      let pages = 0;
      while (from !== null) {
        const res = await system.fetch(
          `${system.url}/streams/consignment-${C}?direction=${direction}&from=${from}&limit=25`,
        );
        expect(res.status).toBe(200);
        const text = await res.text();
        const page = JSON.parse(text) as StreamPage;
        expect(page.events.length).toBeGreaterThan(0);
        expect(page.events.length).toBeLessThanOrEqual(25);
        // The stored events' JSON within the limit, the envelope of the page besides.
        if (page.events.length > 1) expect(text.length).toBeLessThan(LIMIT + 400 * page.events.length);
        seen.push(...page.events.map((e) => e.id));
        from = page.next;
        pages++;
      }
      const expected = stored.map((e) => e.id);
      expect(seen).toEqual(direction === 'forwards' ? expected : expected.reverse());
      expect(pages).toBeGreaterThan(3);
    }
  });

  it('a page of a stream that fits says so (next null), and limit still bounds it', async () => {
    const all = await get<StreamPage>(`/streams/exemption-EX-P`);
    expect(all.events).toHaveLength(1);
    expect(all.next).toBeNull();
    const two = await get<StreamPage>(`/streams/consignment-${C}?limit=2`);
    expect(two.events.map((e) => e.revision)).toEqual([0, 1]);
    expect(two.next).toBe(2);
  });

  it("a consignment's timeline read page by page is its whole trail once, each page within the limit", async () => {
    await eventually(
      async () => (await system.fetch(`${system.url}/consignments/${C}`)).status === 200 || undefined,
    );
    const whole: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    do {
      const page: TimelinePage = await get<TimelinePage>(
        `/consignments/${C}/timeline?limit=1000${after ? `&after=${after}` : ''}`,
      );
      expect(page.items.length).toBeGreaterThan(0);
      whole.push(...page.items.map((i) => i.id));
      after = page.next;
      pages++;
    } while (after);
    expect(pages).toBeGreaterThan(3);
    expect(new Set(whole).size).toBe(whole.length);
    expect(whole.length).toBeGreaterThanOrEqual(42);
  });
});
