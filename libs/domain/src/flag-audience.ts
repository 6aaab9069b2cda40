/**
 * Which organisations a flag (or an alert grouping flags) is shown to (contract "Access", tenancy): the
 * one rule every read endpoint, the alert stream, tenant webhooks and tenants' silences follow, through
 * `seesFlag` (flags) and the alert book's `organisation` label (alerts).
 *
 * Normally a flag is shown to the organisation of each consignment it names (`consignmentIds`). A flag
 * about a document cited by consignments of several organisations (`duplicate-document`) is shown only to
 * the organisation whose citing consignment was registered first (store order, so a back-dated event time
 * does not make a later citer first), and to it only for the flag about its own consignment (the flag's
 * `subject`): the later citers are the suspects, and telling them would reveal that another organisation
 * holds the document; the first citer learns of them from its own flag, which cites the nearest uses and
 * says when more cite it, so another organisation citing its document a thousand times adds nothing to its
 * lists. The later citers' flags are for operators. Operators see every flag (decided by the caller).
 */

/** What `flagOrganisations` needs to know of a consignment: its organisation and registration order. */
export interface ConsignmentStanding {
  /** The implementing organisation owning it; undefined while unknown. */
  organisation?: string;
  /** Its place in store order among first registrations (0 = registered first); undefined when unknown. */
  registered?: number;
}

/** Rules whose flags are about a document several consignments cite. */
export const DocumentRules: ReadonlySet<string> = new Set(['duplicate-document']);

/**
 * The organisations a flag is shown to, sorted and without repeats (see the module comment). A flag whose
 * consignments all belong to one organisation (or none is known) is shown as always.
 */
export function flagOrganisations(
  flag: { rule?: string; consignmentIds?: readonly string[]; subject?: { kind: string; id: string } },
  standingOf: (consignmentId: string) => ConsignmentStanding | undefined,
): string[] {
  const standings = (flag.consignmentIds ?? []).map((id) => standingOf(id));
  const organisations = [
    ...new Set(standings.flatMap((s) => (s?.organisation !== undefined ? [s.organisation] : []))),
  ].sort();
  if (organisations.length < 2 || flag.rule === undefined || !DocumentRules.has(flag.rule))
    return organisations;
  let first: ConsignmentStanding | undefined;
  for (const s of standings)
    if (s?.organisation !== undefined && s.registered !== undefined)
      if (first?.registered === undefined || s.registered < first.registered) first = s;
  if (first?.organisation === undefined) return [];
  // Given the subject, only the first citer's own flag is its; without it (a caller that does not say), as
  // before: every flag naming the first citer's consignment.
  if (flag.subject === undefined) return [first.organisation];
  const own =
    flag.subject.kind === 'consignment' && standingOf(flag.subject.id)?.organisation === first.organisation;
  return own ? [first.organisation] : [];
}
