import type { VerificationFinding } from '@aidwatch/domain';

/**
 * How a submission of the end-use verification form (`forms/end-use-verification.xlsx`, docs/contract.md
 * "Field intake") maps to the contract's verification events. Field names are XLSForm names; a path
 * `group/name` is looked up as KoboToolbox sends it (a flat key `visit/site_id`), as ODK Central sends it
 * (nested objects `{visit: {site_id}}`), and by the bare name. An organisation whose form differs (other
 * names, numeric choice codes, another time zone) overrides parts of it with `FIELD_MAPPING_FILE`.
 */
export interface FieldFormMapping {
  /** XLSForm names (paths) of the form's fields. */
  fields: {
    consignmentId: string;
    siteId: string;
    monitorId: string;
    outcome: string;
    denialReason: string;
    finding: string;
    beneficiaries: string;
    location: string;
    visitedAt: string;
    /** The repeat group of observed items, and the names of its fields. */
    observed: string;
    itemCode: string;
    quantity: string;
  };
  /** Choice codes of the `outcome` select-one. */
  outcomes: { visited: string; accessDenied: string };
  /** Choice code of the `finding` select-one → the contract's finding. */
  findings: Record<string, VerificationFinding>;
  /**
   * UTC offset of the form's configured time zone, `+HH:MM`: applied to times that carry none (KoboToolbox's
   * `_submission_time`, a device that drops the zone).
   */
  utcOffset: string;
}

export const defaultFieldFormMapping: FieldFormMapping = {
  fields: {
    consignmentId: 'visit/consignment_id',
    siteId: 'visit/site_id',
    monitorId: 'visit/monitor_id',
    outcome: 'visit/outcome',
    denialReason: 'visit/denial_reason',
    finding: 'visit/finding',
    beneficiaries: 'visit/beneficiaries',
    location: 'visit/location',
    visitedAt: 'visit/visited_at',
    observed: 'visit/observed',
    itemCode: 'item_code',
    quantity: 'quantity',
  },
  outcomes: { visited: 'visited', accessDenied: 'access_denied' },
  findings: {
    consistent: 'consistent',
    discrepancy: 'discrepancy',
    not_found: 'not_found',
    diversion_suspected: 'diversion_suspected',
  },
  utcOffset: '+00:00',
};

/** The default mapping with an organisation's overrides (each part replaced or merged key by key). */
export function fieldFormMapping(overrides: Partial<FieldFormMapping> = {}): FieldFormMapping {
  return {
    fields: { ...defaultFieldFormMapping.fields, ...overrides.fields },
    outcomes: { ...defaultFieldFormMapping.outcomes, ...overrides.outcomes },
    findings: overrides.findings ?? defaultFieldFormMapping.findings,
    utcOffset: overrides.utcOffset ?? defaultFieldFormMapping.utcOffset,
  };
}
