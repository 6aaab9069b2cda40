import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  EventTypes,
  normaliseVesselName,
  type CloudEvent,
  type VesselDesignated,
  type VesselDesignatedData,
  type VesselDesignationRevoked,
  type VesselDesignationRevokedData,
} from '@aidwatch/domain';
import type { ListedVessel, SanctionsListFile, SanctionsListName } from './sanctions-list';

/** The CloudEvents `source` of the designations an import of `list` writes (e.g. `/sanctions/ofac-sdn`). */
export const sanctionsSourceOf = (list: SanctionsListName | string): string =>
  `/sanctions/${list.toLowerCase()}`;

/** The reason a revocation written by an import gives. */
export const DELISTED_REASON = 'no longer on the list (a later import of the list left it out)';

/** One listing as the store holds it now: its latest designation (null once revoked) and how often revoked. */
export interface ListingState {
  current: VesselDesignatedData | null;
  /** Revocations so far: a vessel delisted again after a relisting gets a new revocation id. */
  revocations: number;
  /**
   * Designation events stored so far for this listing (first listing, changes, relistings): the next
   * designation's id carries this count, so a listing changed back to earlier details (list A, then B, then
   * A again) or listed again after a delisting is a new event, never an id already stored with other content.
   */
  designations: number;
}

/** Listings of imported lists (designations that carry `list` and `reference`), by `listingKey`. */
export type DesignationState = Map<string, ListingState>;

/** What an import did or would do. */
export interface ImportPlan {
  list: SanctionsListName;
  /** Vessels the file lists (after merging repeats of one listing). */
  listed: number;
  /** New listings, changed listings (a new designation replaces the old), delistings, unchanged listings. */
  designated: number;
  changed: number;
  revoked: number;
  unchanged: number;
  /** The events to append, in order (designations first, then revocations). */
  events: Array<VesselDesignated | VesselDesignationRevoked>;
  /** What each event of `events` does, by event id (for counting what an import leaves out). */
  kinds: Map<string, 'designated' | 'changed' | 'revoked'>;
}

/**
 * The identity of a listing: the list, the list's entry reference and the vessel (IMO number, else MMSI,
 * else normalised name), e.g. `OFAC-SDN|22720|imo:8604917`.
 */
export function listingKey(
  list: string,
  reference: string,
  vessel: { imo?: string; mmsi?: string; name: string },
): string {
  return `${list}|${reference}|${vesselKeyOf(vessel)}`;
}

function vesselKeyOf(vessel: { imo?: string; mmsi?: string; name: string }): string {
  if (vessel.imo) return `imo:${vessel.imo}`;
  if (vessel.mmsi) return `mmsi:${vessel.mmsi}`;
  return `name:${normaliseVesselName(vessel.name) ?? vessel.name}`;
}

/**
 * Folds stored designation events (in store order) into the state of imported listings. Designations
 * without `list`/`reference` (made by hand, not by an import) are not an import's to revoke and are left out.
 */
export function designationStateOf(events: Iterable<{ type: string; data: unknown }>): DesignationState {
  const state: DesignationState = new Map();
  for (const { type, data } of events) {
    if (type !== EventTypes.VesselDesignated && type !== EventTypes.VesselDesignationRevoked) continue;
    const d = data as VesselDesignatedData | VesselDesignationRevokedData;
    if (!d.list || !d.reference) continue;
    const key = listingKey(d.list, d.reference, d);
    const entry = state.get(key) ?? { current: null, revocations: 0, designations: 0 };
    if (type === EventTypes.VesselDesignated) {
      entry.current = d as VesselDesignatedData;
      entry.designations += 1;
    } else if (entry.current) {
      entry.current = null;
      entry.revocations += 1;
    }
    state.set(key, entry);
  }
  return state;
}

/**
 * The events that bring the store's listings of `file.list` in line with the file:
 * - a vessel the file lists that the store does not hold (or holds revoked) → `vessel.designated`;
 * - one it holds with other details (name, aliases, programme, owner, MMSI) → a new `vessel.designated`,
 *   which replaces the previous one;
 * - one the store holds as listed that the file no longer lists → `vessel.designation-revoked`;
 * - one unchanged → nothing: importing the same list again appends nothing.
 * Event ids are deterministic (list, reference, vessel, the count of designations already stored for the
 * listing and a digest of the details; revocations: the revocation count), so
 * a repeated or concurrent import writes the same ids and the store's idempotent append keeps one copy.
 * `at` (the events' time) is the list's publication time when the file gives one, else `now`.
 */
export function planImport(file: SanctionsListFile, state: DesignationState, now: Date): ImportPlan {
  const at =
    file.publishedAt ?? new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const source = sanctionsSourceOf(file.list);
  const byKey = new Map<string, ListedVessel>();
  for (const vessel of file.vessels) {
    const key = listingKey(file.list, vessel.reference, vessel);
    const seen = byKey.get(key);
    byKey.set(key, seen ? merge(seen, vessel) : vessel);
  }
  const plan: ImportPlan = {
    list: file.list,
    listed: byKey.size,
    designated: 0,
    changed: 0,
    revoked: 0,
    unchanged: 0,
    events: [],
    kinds: new Map(),
  };
  for (const [key, vessel] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const data = designationOf(file.list, vessel, at);
    const held = state.get(key);
    if (held?.current && sameDetails(held.current, data)) {
      plan.unchanged += 1;
      continue;
    }
    if (held?.current) plan.changed += 1;
    else plan.designated += 1;
    const revision = held?.designations ?? 0;
    const event = envelope<VesselDesignated>(
      EventTypes.VesselDesignated,
      `${key}|listed:${revision}:${digestOf(data)}`,
      source,
      data,
    );
    plan.kinds.set(event.id, held?.current ? 'changed' : 'designated');
    plan.events.push(event);
  }
  for (const [key, held] of [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!held.current || held.current.list !== file.list || byKey.has(key)) continue;
    const { listRef, name, imo, mmsi, list, reference } = held.current;
    const data: VesselDesignationRevokedData = {
      listRef,
      name,
      ...(imo && { imo }),
      ...(mmsi && { mmsi }),
      ...(list && { list }),
      ...(reference && { reference }),
      reason: DELISTED_REASON,
      at,
    };
    plan.revoked += 1;
    const event = envelope<VesselDesignationRevoked>(
      EventTypes.VesselDesignationRevoked,
      `${key}|delisted:${held.revocations}`,
      source,
      data,
    );
    plan.kinds.set(event.id, 'revoked');
    plan.events.push(event);
  }
  return plan;
}

/** The designation event data of a listed vessel. */
export function designationOf(
  list: SanctionsListName,
  vessel: ListedVessel,
  at: string,
): VesselDesignatedData {
  return {
    listRef: `${list} ${vessel.reference}`,
    name: vessel.name,
    ...(vessel.imo && { imo: vessel.imo }),
    ...(vessel.mmsi && { mmsi: vessel.mmsi }),
    list,
    reference: vessel.reference,
    ...(vessel.programs.length > 0 && { program: vessel.programs.join(', ') }),
    ...(vessel.aliases.length > 0 && { aliases: [...vessel.aliases].sort() }),
    ...(vessel.owner && { owner: vessel.owner }),
    at,
  };
}

/** One listing named twice in a file: programmes and aliases together, the first name, MMSI and owner. */
function merge(a: ListedVessel, b: ListedVessel): ListedVessel {
  return {
    ...a,
    mmsi: a.mmsi ?? b.mmsi,
    owner: a.owner ?? b.owner,
    programs: [...new Set([...a.programs, ...b.programs])],
    aliases: [...new Set([...a.aliases, ...b.aliases])],
  };
}

const detailsOf = ({ at: _at, ...details }: VesselDesignatedData) => details;

function sameDetails(a: VesselDesignatedData, b: VesselDesignatedData): boolean {
  return canonicalize(detailsOf(a)) === canonicalize(detailsOf(b));
}

function digestOf(data: VesselDesignatedData): string {
  return createHash('sha256')
    .update(canonicalize(detailsOf(data)) ?? '')
    .digest('hex')
    .slice(0, 16);
}

function envelope<E extends CloudEvent>(type: E['type'], id: string, source: string, data: E['data']): E {
  const { imo, mmsi, name } = data as { imo?: string; mmsi?: string; name: string };
  return {
    specversion: '1.0',
    id,
    source,
    type,
    time: (data as { at: string }).at,
    subject: imo ?? mmsi ?? name,
    datacontenttype: 'application/json',
    data,
  } as unknown as E;
}
