import { normaliseVesselName } from '@aidwatch/domain';

/** A listing of a vessel on a designation list (a sanctions list entry, or a listing declared by event). */
export interface Designation {
  listRef: string;
  name: string;
  imo: string | null;
  mmsi: string | null;
  eventId: string;
  at: number;
  /** The list and the list's reference, for designations read from a sanctions list (absent otherwise). */
  list?: string;
  reference?: string;
  /** Other names the list gives the vessel. */
  aliases?: string[];
}

/** How a vessel was matched to a designation: IMO number, MMSI, or (weaker) a normalised name. */
export type DesignationMatch = 'imo' | 'mmsi' | 'name';

/** Names shorter than this (normalised) are never matched by name: too many ships share them. */
export const MIN_NAME_MATCH_LENGTH = 4;

export const idOf = (d: Pick<Designation, 'listRef' | 'imo' | 'mmsi' | 'name'>): string =>
  `${d.listRef}|${d.imo ?? d.mmsi ?? normaliseVesselName(d.name) ?? d.name}`;

export const namesOf = (d: Designation): string[] => [
  ...new Set([d.name, ...(d.aliases ?? [])].map(normaliseVesselName).filter((n): n is string => n !== null)),
];

export function indexIn(index: Map<string, Set<Designation>>, key: string, d: Designation): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(d);
}

export function unindexFrom(index: Map<string, Set<Designation>>, key: string, d: Designation): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(d);
  if (set.size === 0) index.delete(key);
}

/** The earliest designated of a set (ties by listRef), among those `ok` accepts. */
export function first(
  set: Set<Designation> | undefined,
  ok: (d: Designation) => boolean = () => true,
): Designation | undefined {
  let best: Designation | undefined;
  for (const d of set ?? [])
    if (ok(d) && (!best || d.at < best.at || (d.at === best.at && d.listRef < best.listRef))) best = d;
  return best;
}

/** What a flag says of the listing: its list and reference (when read from a list), listed name and IMO. */
export const listingOf = (d: Designation): Record<string, unknown> => ({
  listRef: d.listRef,
  ...(d.list !== undefined && { list: d.list }),
  ...(d.reference !== undefined && { reference: d.reference }),
  listedName: d.name,
  ...(d.imo !== null && { listedImo: d.imo }),
});

export const describe = (d: Designation, by: DesignationMatch): string =>
  `${d.listRef} as "${d.name}"` +
  (by === 'imo'
    ? ` (matched by IMO ${d.imo})`
    : by === 'name'
      ? ' (matched by name only: a weaker match)'
      : '');
