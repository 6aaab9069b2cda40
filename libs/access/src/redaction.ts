/**
 * Redaction per reader (contract "Access", redaction): what a tenant-bound reader receives about an alert
 * or flag that also concerns other organisations (a vessel carrying several organisations' aid) keeps
 * only its own organisation's consignment ids, exemption ids, organisation names and site ids; the
 * others' are left out of lists and replaced in sentences (and in evidence ids that embed them) by
 * `REDACTED`. Operators and the Kafka alerts topic keep the full picture; flag ids and fingerprints do
 * not change, nor does anything stored.
 */
export const REDACTED = '[another organisation]';

/** Where a consignment belongs, as far as redaction needs it. */
export interface ConsignmentOwnership {
  organisation?: string;
  exemptionId?: string;
  siteIds?: readonly string[];
}

/**
 * The identifiers `reader` must not receive for a subject concerning `consignmentIds`: every consignment,
 * exemption, organisation and site of another organisation (a consignment of unknown owner counts as
 * another's), less anything that is also the reader's own (a site both exemptions name).
 */
export function foreignIdentifiers(
  reader: string,
  consignmentIds: readonly string[],
  ownerOf: (consignmentId: string) => ConsignmentOwnership | undefined,
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
  for (const id of mine) foreign.delete(id);
  return foreign;
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

/** `text` with every whole occurrence of a foreign identifier replaced by REDACTED. */
function redactText(text: string, foreign: readonly string[]): string {
  let out = text;
  for (const id of foreign) {
    if (!out.includes(id)) continue;
    let result = '';
    let from = 0;
    for (let at = out.indexOf(id); at >= 0; at = out.indexOf(id, at + id.length)) {
      const before = at > 0 ? out[at - 1] : '';
      const after = out[at + id.length] ?? '';
      if ((before && ID_CHARACTER.test(before)) || (after && ID_CHARACTER.test(after))) continue;
      result += out.slice(from, at) + REDACTED;
      from = at + id.length;
    }
    out = result + out.slice(from);
  }
  return out;
}

/**
 * A deep copy of `value` without the `foreign` identifiers: strings in arrays equal to one are left out,
 * any other string has each whole occurrence replaced by REDACTED (longest identifiers first, so one id
 * that contains another is replaced whole). Object keys are kept. Returns `value` itself when `foreign` is
 * empty. Values under the identity keys (`flagId`, `fingerprint`, `alertId`, `eventId`, `flagIds`,
 * `openFlagIds`) are kept as they are.
 */
export function redactIdentifiers<T>(value: T, foreign: ReadonlySet<string>): T {
  if (foreign.size === 0) return value;
  const ids = [...foreign].filter((id) => id !== '').sort((a, b) => b.length - a.length);
  const foreignEvents = foreignEventIds(value, foreign);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return foreign.has(v) ? REDACTED : redactText(v, ids);
    if (Array.isArray(v))
      return v
        .filter((item) => !(typeof item === 'string' && (foreign.has(item) || foreignEvents.has(item))))
        .map(walk);
    if (v !== null && typeof v === 'object') {
      const aboutForeign = aboutForeignConsignment(v, foreign);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v))
        out[k] = aboutForeign && k === 'eventId' ? REDACTED : KEPT_KEYS.has(k) ? item : walk(item);
      return out;
    }
    return v;
  };
  return walk(value) as T;
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
