import { createHash } from 'node:crypto';
import { headLeaf, merkleRoot, type StreamHead } from './merkle';

const head = (streamId: string, revision = 0): StreamHead => ({ streamId, revision, hash: 'ab'.repeat(32) });
const h = (...parts: Buffer[]) => parts.reduce((hash, p) => hash.update(p), createHash('sha256')).digest();

describe('the Merkle root over stream heads (RFC 6962)', () => {
  it('of one head is its leaf hash; of three, splits two and one', () => {
    const [a, b, c] = [head('a'), head('b'), head('c')];
    expect(merkleRoot([a])).toBe(headLeaf(a).toString('hex'));
    const ab = h(Buffer.from([1]), headLeaf(a), headLeaf(b));
    expect(merkleRoot([c, a, b])).toBe(h(Buffer.from([1]), ab, headLeaf(c)).toString('hex'));
  });

  it('changes when any head moves or a stream is missing', () => {
    const heads = ['consignment-C-1', 'risk-consignment-C-1', 'vessel-440123456'].map((s) => head(s, 3));
    const root = merkleRoot(heads);
    expect(merkleRoot([...heads].reverse())).toBe(root);
    expect(merkleRoot([heads[0], heads[1], head('vessel-440123456', 4)])).not.toBe(root);
    expect(merkleRoot(heads.slice(1))).not.toBe(root);
  });
});
