import type { AlertLabels } from './alert-labels';

/**
 * Redaction per reader (contract "Access", redaction), the one place it is decided: what a tenant-bound
 * reader (a dashboard or monitor of one organisation) receives about an alert or flag that also concerns
 * other organisations (a vessel carrying several organisations' aid) keeps only its own organisation's
 * consignment ids, exemption ids, organisation name and site ids; the others' are left out of lists and
 * replaced in sentences (and in evidence ids that embed them) by `REDACTED`. Notes, assignees and authors
 * of another organisation's actions are left out. Operators and the Kafka alerts topic keep the full
 * picture; flag ids, alert ids and fingerprints do not change, nor does anything stored.
 *
 * Every function here is pure: what it needs to know of the world (who owns a consignment, whose
 * credential wrote a history entry) comes in as `RedactionFacts`, looked up beforehand by the caller.
 */
export const REDACTED = '[another organisation]';

/** Who reads: a tenant-bound reader names its organisation (`tenant`); an operator names none. */
export interface Reader {
  tenant?: string;
}

/** Where a consignment belongs, as far as redaction needs it. */
export interface ConsignmentOwnership {
  organisation?: string;
  exemptionId?: string;
  siteIds?: readonly string[];
}

/**
 * Whose credential made an action (a history entry's or lifecycle event's `by`): an operator's (or
 * admin's), or a tenant-bound one of organisation `tenant`.
 */
export interface AuthorStanding {
  tenant?: string;
  operator?: boolean;
}

/** What redaction knows of the world, looked up beforehand. */
export interface RedactionFacts {
  /** Where a consignment belongs; undefined when unknown (then it counts as another organisation's). */
  ownerOf(consignmentId: string): ConsignmentOwnership | undefined;
  /** The standing of an author (`key:…`, `jwt:…`); undefined when unknown. Without it, none is known. */
  authorOf?(by: string): AuthorStanding | undefined;
}

/** What a payload concerns: the consignments it names and the organisations it is shown to. */
export interface Concerned {
  consignmentIds: readonly string[];
  organisations?: readonly string[];
}

/** One entry of an alert's history, as far as redaction reads it. */
export interface HistoryEntryLike {
  type: string;
  by: string;
  note?: string;
  assignee?: string;
  byName?: string;
}

/** An alert (or its view) as far as redaction reads it. */
export interface AlertLike {
  consignmentIds: readonly string[];
  labels?: Pick<AlertLabels, 'organisation'>;
  assignee?: string;
  history?: readonly HistoryEntryLike[];
}

/** A published flag or lifecycle CloudEvent (stream frame, webhook payload). */
export interface PublishedLike {
  data?: unknown;
}

/**
 * The identifiers `reader` must not receive for a subject concerning `consignmentIds`: every consignment,
 * exemption, organisation and site of another organisation (a consignment of unknown owner counts as
 * another's) and every other organisation in `organisations`, less anything that is also the reader's own
 * (a site both exemptions name).
 */
export function foreignIdentifiers(
  reader: string,
  consignmentIds: readonly string[],
  ownerOf: (consignmentId: string) => ConsignmentOwnership | undefined,
  organisations: readonly string[] = [],
): Set<string> {
  const mine = new Set<string>([reader]);
  const foreign = new Set<string>();
  for (const id of consignmentIds) {
    const owner = ownerOf(id);
    const into = owner?.organisation === reader ? mine : foreign;
    into.add(id);
    if (owner?.exemptionId) into.add(owner.exemptionId);
    if (owner?.organisation) into.add(owner.organisation);
    for (const site of owner?.siteIds ?? []) into.add(site);
  }
  for (const org of organisations) foreign.add(org);
  for (const id of mine) foreign.delete(id);
  return foreign;
}

/**
 * Whether a subject concerns organisation `tenant` alone: every organisation it is shown to and every
 * consignment it names are the tenant's (a document flag shown to its first citer only still names the
 * later citers' consignments).
 */
export function concernsOnly(
  tenant: string,
  concerned: Concerned,
  ownerOf: (consignmentId: string) => ConsignmentOwnership | undefined,
): boolean {
  return (
    (concerned.organisations ?? []).every((org) => org === tenant) &&
    concerned.consignmentIds.every((id) => ownerOf(id)?.organisation === tenant)
  );
}

/** The consignments of `ids` the reader may be shown by id: all for an operator, its own for a tenant. */
export function ownConsignmentIds(
  reader: Reader,
  ids: readonly string[],
  ownerOf: (consignmentId: string) => ConsignmentOwnership | undefined,
): string[] {
  const { tenant } = reader;
  return tenant === undefined ? [...ids] : ids.filter((id) => ownerOf(id)?.organisation === tenant);
}

/**
 * An alert's labels as `reader` sees them (and its silences and filters match on them): another
 * organisation's consignment ids, exemption ids, organisation names and site ids left out, unless also the
 * reader's own. Rule, severity and vessel are kept. An operator's are the labels themselves.
 */
export function labelsSeenBy(
  reader: Reader,
  labels: AlertLabels,
  ownerOf: (consignmentId: string) => ConsignmentOwnership | undefined,
): AlertLabels {
  if (reader.tenant === undefined) return labels;
  const foreign = foreignIdentifiers(reader.tenant, labels.consignmentId, ownerOf, labels.organisation);
  if (foreign.size === 0) return labels;
  const keep = (values: string[]) => values.filter((v) => !foreign.has(v));
  return {
    rule: labels.rule,
    severity: labels.severity,
    consignmentId: keep(labels.consignmentId),
    vessel: labels.vessel,
    exemptionId: keep(labels.exemptionId),
    organisation: keep(labels.organisation),
    siteId: keep(labels.siteId),
  };
}

/**
 * Whether `reader` may see who made an action and what they wrote (note, assignee): the detector's and
 * other system entries, operators' and the reader's own organisation's credentials always; another
 * organisation's never; an author of unknown standing (a token, a deleted key) only on a subject that
 * concerns the reader's organisation alone.
 */
export function authorShown(reader: Reader, by: string, shared: boolean, facts: RedactionFacts): boolean {
  if (reader.tenant === undefined) return true;
  if (!by.startsWith('key:') && !by.startsWith('jwt:')) return true;
  const standing = facts.authorOf?.(by);
  if (standing === undefined) return !shared;
  return standing.operator === true || standing.tenant === reader.tenant;
}

/**
 * `value` as `reader` may receive it, for a subject concerning `concerned`: another organisation's
 * identifiers left out or replaced (`redactIdentifiers`). An operator's is `value` itself.
 */
export function redactFor<T>(reader: Reader, value: T, concerned: Concerned, facts: RedactionFacts): T {
  if (reader.tenant === undefined) return value;
  return redactIdentifiers(
    value,
    foreignIdentifiers(reader.tenant, concerned.consignmentIds, facts.ownerOf, concerned.organisations),
  );
}

/**
 * An alert (or its view, with or without history) as `reader` may receive it: its history's entries by
 * authors the reader may not see (`authorShown`) without note, assignee or author (`by` and `byName`
 * become REDACTED); its `assignee` left out unless the latest assignment's author may be seen; then
 * another organisation's identifiers left out or replaced everywhere (labels, consignment ids,
 * explanation, observed values, evidence, notes). Flag ids, alert id and fingerprint are kept.
 */
export function redactAlertFor<T extends AlertLike>(reader: Reader, alert: T, facts: RedactionFacts): T {
  if (reader.tenant === undefined) return alert;
  const concerned = { consignmentIds: alert.consignmentIds, organisations: alert.labels?.organisation };
  const shared = !concernsOnly(reader.tenant, concerned, facts.ownerOf);
  const shown = (by: string) => authorShown(reader, by, shared, facts);
  let out: T = alert;
  if (alert.assignee !== undefined) {
    const assigned = [...(alert.history ?? [])].reverse().find((entry) => entry.type === 'assigned');
    if (assigned === undefined ? shared : !shown(assigned.by)) {
      const { assignee: _assignee, ...rest } = out;
      out = rest as T;
    }
  }
  if (alert.history !== undefined)
    out = { ...out, history: alert.history.map((entry) => (shown(entry.by) ? entry : anonymous(entry))) };
  return redactFor(reader, out, concerned, facts);
}

/**
 * A published flag or lifecycle event (an alert stream frame, a webhook payload) about `consignmentIds`
 * as `reader` may receive it: a lifecycle action by an author the reader may not see without its note,
 * assignee or author; another organisation's identifiers left out or replaced.
 */
export function redactPublishedFor<T extends PublishedLike>(
  reader: Reader,
  published: T,
  concerned: Concerned,
  facts: RedactionFacts,
): T {
  if (reader.tenant === undefined) return published;
  const shared = !concernsOnly(reader.tenant, concerned, facts.ownerOf);
  const data = published.data as { by?: unknown } | undefined;
  const out =
    data !== null &&
    typeof data === 'object' &&
    typeof data.by === 'string' &&
    !authorShown(reader, data.by, shared, facts)
      ? { ...published, data: anonymous(data as HistoryEntryLike) }
      : published;
  return redactFor(reader, out, concerned, facts);
}

/** An entry or action without who made it and what they wrote. */
function anonymous<E extends { by: string; note?: string; assignee?: string; byName?: string }>(entry: E): E {
  const { note: _note, assignee: _assignee, ...rest } = entry;
  return { ...rest, by: REDACTED, ...('byName' in entry ? { byName: REDACTED } : {}) } as E;
}

/**
 * Keys whose values are identities of flags, alerts and stored events, never redacted (digests and
 * UUIDs). Evidence is not among them: its event ids are the producers' own and may embed a consignment id.
 * An `eventId` in an object about another organisation's consignment is redacted all the same (see
 * `foreignEventIds`).
 */
const KEPT_KEYS = new Set(['flagId', 'fingerprint', 'alertId', 'eventId', 'flagIds', 'openFlagIds']);

/** Letters, digits and the joiners of identifiers: an occurrence next to one is part of a longer id. */
const ID_CHARACTER = /[\p{L}\p{N}_-]/u;

/**
 * `text` with every whole occurrence of a foreign identifier replaced by REDACTED, in one pass over the
 * text as written (longest identifier first where several start at one place), then each run of
 * REDACTED joined by commas, semicolons, slashes or "and" written once: a reader learns neither which
 * nor how many of another organisation's identifiers a sentence named.
 */
/** Foreign identifiers prepared for `redactText`: the set, and the lengths they come in, longest first. */
interface IdMatcher {
  ids: ReadonlySet<string>;
  lengths: readonly number[];
}

function idMatcher(foreign: ReadonlySet<string>): IdMatcher {
  const ids = new Set([...foreign].filter((id) => id !== ''));
  return { ids, lengths: [...new Set([...ids].map((id) => id.length))].sort((a, b) => b - a) };
}

/**
 * `text` with each occurrence of a foreign identifier that stands alone (no identifier character either side)
 * replaced by REDACTED, the longest first where several start at one place. Looks up each place's candidate
 * substrings of the identifiers' lengths in a set: linear in the text times the number of distinct lengths,
 * whatever the number of identifiers (a flag may name hundreds of consignments aboard a vessel).
 */
function redactText(text: string, foreign: IdMatcher): string {
  if (foreign.ids.size === 0) return text;
  let out = '';
  let from = 0;
  for (let at = 0; at < text.length; at++) {
    if (at > 0 && ID_CHARACTER.test(text[at - 1]!)) continue;
    let length = 0;
    for (const l of foreign.lengths) {
      if (at + l > text.length || !foreign.ids.has(text.substr(at, l))) continue;
      const after = text[at + l];
      if (after === undefined || !ID_CHARACTER.test(after)) {
        length = l;
        break;
      }
    }
    if (length === 0) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + length;
    at = from - 1;
  }
  if (from === 0) return text;
  out += text.slice(from);
  return out.replace(REDACTED_RUN, REDACTED);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Two or more REDACTED in a row, joined by a list's separators. */
const REDACTED_RUN = new RegExp(
  `${escapeRegExp(REDACTED)}(?:(?:\\s*[,;/]\\s*|\\s+and\\s+|\\s*&\\s*)${escapeRegExp(REDACTED)})+`,
  'g',
);

/**
 * A deep copy of `value` without the `foreign` identifiers: strings in arrays equal to one are left out, so are
 * entries of an `evidence` array that embed one (or that a shared consignment flag does not show to be the
 * reader's, see `ownEvidenceOf`), any other string has each whole occurrence replaced by REDACTED (longest identifiers first, so one id
 * that contains another is replaced whole). Object keys are kept. Returns `value` itself when `foreign` is
 * empty. Values under the identity keys (`flagId`, `fingerprint`, `alertId`, `eventId`, `flagIds`,
 * `openFlagIds`) are kept as they are.
 */
export function redactIdentifiers<T>(value: T, foreign: ReadonlySet<string>): T {
  if (foreign.size === 0) return value;
  const ids = idMatcher(foreign);
  const foreignEvents = foreignEventIds(value, foreign);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return foreign.has(v) ? REDACTED : redactText(v, ids);
    if (Array.isArray(v))
      return v
        .filter((item) => !(typeof item === 'string' && (foreign.has(item) || foreignEvents.has(item))))
        .map(walk);
    if (v !== null && typeof v === 'object') {
      const aboutForeign = aboutForeignConsignment(v, foreign);
      const attributed = ownEvidenceOf(v, foreign);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v))
        out[k] =
          k === 'evidence' && Array.isArray(item)
            ? item
                .filter(
                  (e) =>
                    typeof e !== 'string' ||
                    (!foreignEvents.has(e) && redactText(e, ids) === e && (attributed?.(e) ?? true)),
                )
                .map(walk)
            : aboutForeign && k === 'eventId'
              ? REDACTED
              : KEPT_KEYS.has(k)
                ? item
                : walk(item);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * For a flag (raised, or its clear) about a consignment that also names another organisation's consignments:
 * which of its evidence entries are shown to be the reader's own — the event ids of its own uses in
 * `observed.uses`, or ids starting with one of its own consignment ids and `/`. A clear carries no `observed`,
 * so an event id that does not show whose it is stays out (another organisation's event id must not reach the
 * reader by a clear, as it does not by the raise). Undefined for anything else (its evidence is judged by the
 * identifiers it embeds alone).
 */
function ownEvidenceOf(v: object, foreign: ReadonlySet<string>): ((evidence: string) => boolean) | undefined {
  const flag = v as {
    flagId?: unknown;
    subject?: { kind?: unknown };
    consignmentIds?: unknown;
    observed?: { uses?: unknown };
  };
  if (typeof flag.flagId !== 'string' || flag.subject?.kind !== 'consignment') return undefined;
  if (!Array.isArray(flag.consignmentIds)) return undefined;
  const ids = flag.consignmentIds.filter((id): id is string => typeof id === 'string');
  if (!ids.some((id) => foreign.has(id))) return undefined;
  const own = ids.filter((id) => !foreign.has(id));
  const ownEvents = new Set<string>();
  const uses = flag.observed?.uses;
  if (Array.isArray(uses))
    for (const use of uses as Array<{ consignmentId?: unknown; eventId?: unknown }>)
      if (
        typeof use?.eventId === 'string' &&
        typeof use.consignmentId === 'string' &&
        !foreign.has(use.consignmentId)
      )
        ownEvents.add(use.eventId);
  return (evidence) => ownEvents.has(evidence) || own.some((id) => evidence.startsWith(`${id}/`));
}

/** Whether `v` is an object naming (`consignmentId`) a consignment among the foreign identifiers. */
function aboutForeignConsignment(v: object, foreign: ReadonlySet<string>): boolean {
  const id = (v as { consignmentId?: unknown }).consignmentId;
  return typeof id === 'string' && foreign.has(id);
}

/**
 * The event ids (`eventId`) of every object in `value` about a foreign consignment (a flag's `observed`
 * names each use of a document with its consignment and event): such an event is another organisation's,
 * so its id is left out of `evidence` and replaced by REDACTED where it is named, even when the id does
 * not embed the consignment id.
 */
function foreignEventIds(value: unknown, foreign: ReadonlySet<string>): Set<string> {
  const events = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object') {
      const eventId = (v as { eventId?: unknown }).eventId;
      if (typeof eventId === 'string' && aboutForeignConsignment(v, foreign)) events.add(eventId);
      stack.push(...Object.values(v));
    }
  }
  return events;
}
