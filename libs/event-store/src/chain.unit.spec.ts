import fc from 'fast-check';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { prepareEvents } from './append-policy';
import { chainHash, chainLinkOf, linkEvent, unchainedMetadata } from './chain';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 1212;
const content = {
  streamId: 'consignment-C-1',
  revision: 3,
  id: '5f0c1c8e-6c43-4d3c-9a55-0b8f4c3d2a11',
  type: 'aidwatch.delivery.recorded.v1',
  data: { consignmentId: 'C-1', items: [{ itemCode: 'RICE-25KG', quantity: 120 }] },
  metadata: { source: 'wfp' },
};

describe('the chain link of a stored event', () => {
  it('is the SHA-256 of the RFC 8785 canonical content and previous hash (a fixed vector)', () => {
    // canonical: {"data":{...},"id":...,"metadata":{"source":"wfp"},"previous":null,"revision":3,...}
    expect(chainHash(null, content)).toBe(
      createHash('sha256')
        .update(
          '{"data":{"consignmentId":"C-1","items":[{"itemCode":"RICE-25KG","quantity":120}]},' +
            '"id":"5f0c1c8e-6c43-4d3c-9a55-0b8f4c3d2a11","metadata":{"source":"wfp"},"previous":null,' +
            '"revision":3,"streamId":"consignment-C-1","type":"aidwatch.delivery.recorded.v1"}',
        )
        .digest('hex'),
    );
  });

  it('does not depend on the order of keys, and changes with any value or the previous hash', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (data, key) => {
        const reversed = Object.fromEntries(Object.entries(data).reverse());
        const base = chainHash('a'.repeat(64), { ...content, data });
        expect(chainHash('a'.repeat(64), { ...content, data: reversed })).toBe(base);
        expect(chainHash('b'.repeat(64), { ...content, data })).not.toBe(base);
        const changed = { ...data, [key]: data[key] === 1 ? 2 : 1 };
        expect(chainHash('a'.repeat(64), { ...content, data: changed })).not.toBe(base);
      }),
      { seed, numRuns: 200 },
    );
  });

  it('is stored in the metadata under chain, and covers the metadata without it', () => {
    const event = {
      id: content.id,
      type: content.type,
      data: JSON.stringify(content.data),
      metadata: '{"source":"wfp"}',
    };
    const linked = linkEvent('f'.repeat(64), content.streamId, content.revision, event);
    const metadata = JSON.parse(linked.metadata) as Record<string, unknown>;
    expect(chainLinkOf(metadata)).toEqual({ previous: 'f'.repeat(64), hash: linked.hash });
    expect(unchainedMetadata(metadata)).toEqual({ source: 'wfp' });
    expect(linked.hash).toBe(chainHash('f'.repeat(64), content));
    // A link already in the caller's metadata is replaced, not hashed.
    const relinked = linkEvent('f'.repeat(64), content.streamId, 3, { ...event, metadata: linked.metadata });
    expect(relinked.hash).toBe(linked.hash);
  });

  it('is the same whether made from the prepared canonical parts or from the stored JSON, and equals canonicalize of the whole', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(
        json,
        fc.dictionary(fc.string(), json),
        fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), {
          nil: null,
        }),
        fc.string(),
        fc.string(),
        fc.nat(),
        (data, metadata, previous, streamId, type, revision) => {
          const [prepared] = prepareEvents(streamId || 's', [
            { id: content.id, type: type || 't', data, metadata },
          ]);
          const fromJson = linkEvent(previous, streamId || 's', revision, {
            ...prepared,
            canonical: undefined,
          });
          const fast = linkEvent(previous, streamId || 's', revision, prepared);
          expect(fast).toEqual(fromJson);
          const whole = canonicalize({
            previous,
            streamId: streamId || 's',
            revision,
            id: prepared.id,
            type: prepared.type,
            data: JSON.parse(prepared.data),
            metadata: unchainedMetadata(JSON.parse(prepared.metadata)),
          }) as string;
          expect(fast.hash).toBe(createHash('sha256').update(whole, 'utf8').digest('hex'));
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
