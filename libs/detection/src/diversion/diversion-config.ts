import type { Severity, VerificationFinding } from '@aidwatch/domain';

/** Thresholds of the diversion rules. Quantities are in the unit of the exemption line they refer to. */
export interface DiversionConfig {
  /** Loss allowed between two steps of a consignment, as a percentage of the earlier step's quantity. */
  shrinkageTolerancePct: number;
  /** The allowed loss is never below this absolute quantity (0: percentage only). */
  shrinkageToleranceAbs: number;
  /** A loss above the tolerance is `medium`; above these percentages `high` and `critical`. */
  shrinkageHighPct: number;
  shrinkageCriticalPct: number;
  /**
   * Deliveries of a consignment are usually spread over distribution rounds, so their sum is compared with
   * the quantity handed over only once no delivery has happened for this many days.
   */
  distributionWindowDays: number;
  /**
   * Rules about something missing or still to come (delivery without discharge, a step's total, an overdue
   * verification) are judged only once the watermark is this far past the moment they become due, so a
   * late-arriving event does not raise a flag that clears a moment later.
   */
  allowedLatenessHours: number;
  /**
   * A consignment or reference input (CloudEvents source) silent while another input moved its event time
   * on this far is idle: it no longer holds back the clock of consignments that other inputs report too
   * (see `InputClocks`). Such feeds report in bursts days apart, hence days.
   */
  inputIdleDays: number;
  /**
   * A Kafka partition whose caught-up marker says it has had no new record for this long (wall time, as
   * the ingestor measured and recorded it in the marker) has stopped delivering: its inputs are idle when
   * any other input, of any partition, stands more than the idle bound ahead (`InputClocks.caughtUp`,
   * docs/time-model.md 5). Shorter quiets only end "records pending" and move each input to what its own
   * source delivered elsewhere. Long enough that a feed delivering late in bursts (satellite AIS, monitors'
   * reports) is not taken for a stopped one between two bursts. One setting for both rule sets.
   */
  inputEndQuietMinutes: number;
  verificationDueDays: number;
  verificationOverdueSeverity: Severity;
  accessDeniedSeverity: Severity;
  /** This many denials in a row at one site, with no verification there between them, escalate. */
  accessDeniedEscalationCount: number;
  accessDeniedEscalatedSeverity: Severity;
  /** Added to each declared site's own radius before a delivery or visit counts as elsewhere. */
  siteRadiusSlackKm: number;
  undeclaredLocationSeverity: Severity;
  itemNotExemptSeverity: Severity;
  /**
   * Items not exempted are flagged one by one, the first this many by item code; the rest of the consignment's
   * together in one more flag. One registration of hundreds of unlisted item lines then raises a bounded number
   * of flags (each is an alert every organisation's services carry), not one per line.
   */
  itemNotExemptFlagsPerConsignment: number;
  /** Cumulative quantity may exceed the authorised quantity by this percentage before a flag. */
  overAuthorisationTolerancePct: number;
  overAuthorisationSeverity: Severity;
  outsideValiditySeverity: Severity;
  afterRevocationSeverity: Severity;
  duplicateDocumentSeverity: Severity;
  brokenCustodySeverity: Severity;
  monitorFindingSeverity: Readonly<Record<Exclude<VerificationFinding, 'consistent'>, Severity>>;
}

export const defaultDiversionConfig: Readonly<DiversionConfig> = Object.freeze({
  shrinkageTolerancePct: 2,
  shrinkageToleranceAbs: 0,
  shrinkageHighPct: 10,
  shrinkageCriticalPct: 25,
  distributionWindowDays: 30,
  allowedLatenessHours: 24,
  inputIdleDays: 3,
  inputEndQuietMinutes: 10,
  verificationDueDays: 30,
  verificationOverdueSeverity: 'medium',
  accessDeniedSeverity: 'high',
  accessDeniedEscalationCount: 3,
  accessDeniedEscalatedSeverity: 'critical',
  siteRadiusSlackKm: 0,
  undeclaredLocationSeverity: 'high',
  itemNotExemptSeverity: 'high',
  itemNotExemptFlagsPerConsignment: 20,
  overAuthorisationTolerancePct: 0,
  overAuthorisationSeverity: 'high',
  outsideValiditySeverity: 'high',
  afterRevocationSeverity: 'critical',
  duplicateDocumentSeverity: 'high',
  brokenCustodySeverity: 'high',
  monitorFindingSeverity: Object.freeze({
    discrepancy: 'medium',
    not_found: 'high',
    diversion_suspected: 'critical',
  }),
} satisfies DiversionConfig);

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const latenessMs = (config: DiversionConfig): number => config.allowedLatenessHours * HOUR_MS;
