import type { AlertBookProjection } from '../alert-book.projection';

/**
 * The alert book's whole snapshot with its keyed lists in key order (the order of keyed maps carries no
 * meaning): two books that folded the same events, or one restored from the other's checkpoint, compare equal.
 */
export function comparableBook(p: AlertBookProjection): unknown {
  const { book, classified } = JSON.parse(JSON.stringify(p.snapshot())) as {
    book: Record<string, unknown>;
    classified: Array<[string, unknown]>;
  };
  const byKey = (list: unknown) =>
    [...(list as Array<[string, unknown]>)].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const name of ['consignments', 'exemptions', 'tracks', 'grouped', 'latest'])
    book[name] = byKey(book[name]);
  return { book, classified: byKey(classified) };
}
