import fc from 'fast-check';
import { createHash } from 'node:crypto';
import * as sample from '../testing/samples';
import { StoreEventIdNamespace, storeEventId } from './store-event-id';

/** RFC 9562 §5.5 UUID v5, computed independently of the uuid package. */
function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('storeEventId', () => {
  const loaded = sample.consignmentLoaded();

  it('is the UUID v5 of source and id joined by a newline', () => {
    expect(storeEventId(loaded)).toBe(uuidV5(`${loaded.source}\n${loaded.id}`, StoreEventIdNamespace));
    expect(storeEventId(loaded)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('maps a redelivered event to the same id even if other attributes differ', () => {
    const redelivered = sample.consignmentLoaded({ time: '2024-03-04T15:00:00Z', data: { items: [] } });
    expect(storeEventId(redelivered)).toBe(storeEventId(loaded));
  });

  it('tells apart the same id from two sources, and two ids from one source', () => {
    const otherSource = sample.consignmentLoaded({ source: '/org/unicef/supply/dprk' });
    const otherId = sample.consignmentLoaded({ id: 'consignment-loaded-0118' });
    const ids = new Set([loaded, otherSource, otherId].map(storeEventId));
    expect(ids.size).toBe(3);
  });

  it('keeps its namespace: ids already stored must keep matching redeliveries', () => {
    expect(StoreEventIdNamespace).toBe('1e38fdbd-0c38-43d6-9783-23b8c986d023');
  });
});

describe('storeEventId on any source and id', () => {
  it('is the RFC 9562 UUID v5 of their UTF-8 bytes (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (source, id) => {
        expect(storeEventId({ source, id })).toBe(uuidV5(`${source}\n${id}`, StoreEventIdNamespace));
      }),
      { seed: 20261130, numRuns: 500 },
    );
  });
});
