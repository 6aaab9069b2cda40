import type { ConsignmentFacts, Fact } from './consignment-facts';
import { registrationOf } from './consignment-facts';

export type DocumentKind = 'bill-of-lading' | 'delivery' | 'custody';

/** One place a document is cited. Two uses with different `use` ids under one `key` are a reuse. */
export interface DocumentUse extends Fact {
  key: string;
  document: string;
  kind: DocumentKind;
  use: string;
  consignmentId: string;
  /** Delivery id for a delivery note; empty otherwise. */
  ref: string;
}

export const billOfLadingKey = (billOfLading: string): string =>
  `bill-of-lading:${billOfLading.trim().toUpperCase()}`;
export const documentHashKey = (hash: string): string => `document:${hash.trim().toLowerCase()}`;

/** The documents a consignment's current facts cite. A corrected delivery cites only its newest note. */
export function documentUsesOf(facts: ConsignmentFacts): DocumentUse[] {
  const uses: DocumentUse[] = [];
  const c = facts.consignmentId;
  const cite = (fact: Fact, key: string, document: string, kind: DocumentKind, use: string, ref: string) =>
    // Built field by field: object spread is a slow path in V8 and this runs on every evaluation.
    uses.push({
      eventId: fact.eventId,
      time: fact.time,
      recordedAt: fact.recordedAt,
      key,
      document,
      kind,
      use,
      consignmentId: c,
      ref,
    });
  const registration = registrationOf(facts);
  if (registration && registration.billOfLading.trim() !== '')
    cite(
      registration,
      billOfLadingKey(registration.billOfLading),
      registration.billOfLading,
      'bill-of-lading',
      `registration|${c}`,
      '',
    );
  for (const d of facts.deliveries.values()) {
    if (d.documentHash.trim() === '') continue;
    cite(
      d,
      documentHashKey(d.documentHash),
      d.documentHash,
      'delivery',
      `delivery|${c}|${d.deliveryId}`,
      d.deliveryId,
    );
  }
  for (const t of facts.custody.values()) {
    if (t.documentHash.trim() === '') continue;
    cite(t, documentHashKey(t.documentHash), t.documentHash, 'custody', `custody|${t.eventId}`, '');
  }
  return uses;
}

/** The keys of the documents a consignment cites, without building its uses. */
export function documentKeysOf(facts: ConsignmentFacts): string[] {
  const keys = new Set<string>();
  const registration = registrationOf(facts);
  if (registration && registration.billOfLading.trim() !== '')
    keys.add(billOfLadingKey(registration.billOfLading));
  for (const d of facts.deliveries.values())
    if (d.documentHash.trim() !== '') keys.add(documentHashKey(d.documentHash));
  for (const t of facts.custody.values())
    if (t.documentHash.trim() !== '') keys.add(documentHashKey(t.documentHash));
  return [...keys].sort();
}

/**
 * Most uses a `duplicate-document` flag cites: the consignment's own and the nearest others (see
 * `citedUses`). A document reused by hundreds of consignments (a placeholder bill of lading) then costs each
 * new use a bounded number of bounded flags, whatever the order the uses come in, not a new flag of every
 * consignment citing every use.
 */
export const MAX_CITED_USES = 10;

/**
 * The uses of a document a consignment's flag cites, in `uses`' order (by time): all of them when there are at
 * most `MAX_CITED_USES`; else the consignment's own and the others nearest before its first one (the earliest
 * others after it when too few come before), `MAX_CITED_USES` in all (at least one other). A function of the
 * uses alone, so the same whatever order they came in; and a use added or removed changes only the cited uses
 * of the consignments just after it in time and of those at the very start (see `othersCiting`).
 */
export function citedUses(uses: readonly DocumentUse[], consignmentId: string): readonly DocumentUse[] {
  if (uses.length <= MAX_CITED_USES) return uses;
  const first = uses.findIndex((u) => u.consignmentId === consignmentId);
  const own = uses.filter((u) => u.consignmentId === consignmentId).length;
  const wanted = Math.max(1, MAX_CITED_USES - own);
  const cited = new Set<DocumentUse>();
  for (let i = first - 1; i >= 0 && cited.size < wanted; i--) cited.add(uses[i]);
  for (let i = first + 1; i < uses.length && cited.size < wanted; i++)
    if (uses[i].consignmentId !== consignmentId) cited.add(uses[i]);
  return uses.filter((u) => u.consignmentId === consignmentId || cited.has(u));
}

const byTimeThenUse = (a: DocumentUse, b: DocumentUse): number =>
  a.time - b.time || (a.use < b.use ? -1 : a.use > b.use ? 1 : 0);

function byKey(uses: readonly DocumentUse[]): Map<string, DocumentUse[]> {
  const grouped = new Map<string, DocumentUse[]>();
  for (const u of uses) {
    const list = grouped.get(u.key);
    if (list) list.push(u);
    else grouped.set(u.key, [u]);
  }
  return grouped;
}

const sameUses = (a: readonly DocumentUse[] = [], b: readonly DocumentUse[] = []): boolean =>
  a.length === b.length && a.every((u, i) => u.use === b[i].use && u.eventId === b[i].eventId);

/** Which documents are cited where, kept in step with the consignments' facts. */
export class DocumentIndex {
  private readonly usesByConsignment = new Map<string, Map<string, DocumentUse[]>>();
  private readonly keysByConsignment = new Map<string, string[]>();
  private readonly usesByKey = new Map<string, DocumentUse[]>();

  /** Replaces a consignment's uses; returns the consignments whose document reuse may have changed. */
  update(facts: ConsignmentFacts): Set<string> {
    const c = facts.consignmentId;
    const before = this.usesByConsignment.get(c) ?? new Map<string, DocumentUse[]>();
    const after = byKey(documentUsesOf(facts));
    const affected = new Set<string>();
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (sameUses(before.get(key), after.get(key))) continue;
      const previous = this.usesByKey.get(key) ?? [];
      const uses = previous.filter((u) => u.consignmentId !== c);
      uses.push(...(after.get(key) ?? []));
      if (uses.length === 0) this.usesByKey.delete(key);
      else this.usesByKey.set(key, uses.sort(byTimeThenUse));
      for (const other of othersCiting(previous, uses, c)) affected.add(other);
      affected.add(c);
    }
    this.usesByConsignment.set(c, after);
    this.keysByConsignment.set(c, [...after.keys()].sort());
    return affected;
  }

  /** The documents a consignment cites, sorted. */
  keysOf(consignmentId: string): readonly string[] {
    return this.keysByConsignment.get(consignmentId) ?? [];
  }

  /** All uses of a document across consignments, by event time. */
  uses(key: string): readonly DocumentUse[] {
    return this.usesByKey.get(key) ?? [];
  }
}

/**
 * The consignments other than `c` whose cited uses of one document (`citedUses`) may differ between `before`
 * and `after` (its uses, sorted, before and after `c`'s changed): every one citing it while either list is
 * short enough to be cited whole; otherwise those with a use from the first change on, as far as a
 * consignment's cited uses reach back (`MAX_CITED_USES` plus the most uses one consignment has), and, when the
 * change is that near the start, those with a use in the start's reach too (they cite forward). A bounded
 * number whatever the order uses come in.
 */
function othersCiting(before: readonly DocumentUse[], after: readonly DocumentUse[], c: string): Set<string> {
  const affected = new Set<string>();
  if (before.length <= MAX_CITED_USES + 1 || after.length <= MAX_CITED_USES + 1) {
    for (const u of [...before, ...after]) affected.add(u.consignmentId);
    return affected;
  }
  const counts = new Map<string, number>();
  let mostOwn = 0;
  for (const u of [...before, ...after]) {
    const n = (counts.get(u.consignmentId) ?? 0) + 1;
    counts.set(u.consignmentId, n);
    if (n > mostOwn) mostOwn = n;
  }
  const reach = MAX_CITED_USES + 2 * mostOwn;
  const addRange = (uses: readonly DocumentUse[], from: number, to: number) => {
    for (let i = from; i < Math.min(uses.length, to); i++) affected.add(uses[i].consignmentId);
  };
  for (const uses of [before, after])
    uses.forEach((u, at) => {
      if (u.consignmentId !== c) return;
      // Those just after each of c's uses cite back across it; near the start, those citing forward too.
      addRange(uses, at, at + reach + 1);
      if (at <= reach) addRange(uses, 0, reach + 1);
    });
  affected.delete(c);
  return affected;
}
