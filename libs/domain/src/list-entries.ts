/**
 * The entries of every list (JSON array) in `value`, at any depth below it: an event's "lines" (its items,
 * observed quantities, evidence, route points…), which detection folds and memory keeps one by one. Depth is
 * bounded by intake's `LIMIT_JSON_DEPTH` before this is asked.
 */
export function listEntriesOf(value: unknown): number {
  if (Array.isArray(value)) {
    let n = value.length;
    for (const entry of value) if (typeof entry === 'object' && entry !== null) n += listEntriesOf(entry);
    return n;
  }
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  for (const entry of Object.values(value))
    if (typeof entry === 'object' && entry !== null) n += listEntriesOf(entry);
  return n;
}
