import type { Position } from '@aidwatch/event-store';

/**
 * Compares two store positions of the same adapter: `"<n>"` (embedded, in-memory) or
 * `"<commit>/<prepare>"` (KurrentDB). Returns undefined when they are not comparable.
 */
export function comparePositions(a: Position, b: Position): number | undefined {
  const parse = (p: Position) => (/^\d+(\/\d+)?$/.test(p) ? p.split('/').map((n) => BigInt(n)) : undefined);
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb || pa.length !== pb.length) return undefined;
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  return 0;
}
