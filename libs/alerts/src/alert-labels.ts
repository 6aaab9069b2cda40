import { flagOrganisations, type Flag } from '@aidwatch/domain';

/**
 * What silences, inhibition rules and stream filters match on (Alertmanager's "labels"). A label may hold
 * several values (a vessel flag names every consignment on board); a matcher matches if any value does.
 */
export interface AlertLabels {
  rule: string[];
  severity: string[];
  consignmentId: string[];
  /**
   * MMSI of every vessel the alert is about: a vessel flag's subject, and the other vessel its
   * `observed.partnerMmsi` names (an encounter's partner, a designated ship met at sea).
   */
  vessel: string[];
  exemptionId: string[];
  /**
   * Implementing organisation (the tenant) of the exemptions involved: the organisations the alert is shown
   * to (`flagOrganisations`: a document cited by several organisations' consignments, only the first
   * citer's).
   */
  organisation: string[];
  siteId: string[];
}
export type LabelName = keyof AlertLabels;
export const LabelNames: readonly LabelName[] = [
  'rule',
  'severity',
  'consignmentId',
  'vessel',
  'exemptionId',
  'organisation',
  'siteId',
];

/** Where a consignment belongs: its exemption and that exemption's implementing organisation. */
export interface ConsignmentOwner {
  exemptionId: string;
  organisation?: string;
  /** Its place among first registrations in store order (see `flagOrganisations`). */
  registered?: number;
}

export function labelsOf(
  flag: Flag,
  ownerOf: (consignmentId: string) => ConsignmentOwner | undefined,
): AlertLabels {
  const owners = flag.consignmentIds.map(ownerOf).filter((o): o is ConsignmentOwner => o !== undefined);
  const siteId = flag.observed?.siteId;
  const partner = flag.observed?.partnerMmsi;
  return {
    rule: [flag.rule],
    severity: [flag.severity],
    consignmentId: [...flag.consignmentIds],
    vessel: unique([
      ...(flag.subject.kind === 'vessel' ? [flag.subject.id] : []),
      ...(typeof partner === 'string' ? [partner] : []),
    ]),
    exemptionId: unique(owners.map((o) => o.exemptionId)),
    organisation: flagOrganisations(flag, ownerOf),
    siteId: typeof siteId === 'string' ? [siteId] : [],
  };
}

const unique = (values: string[]): string[] => [...new Set(values)].sort();
