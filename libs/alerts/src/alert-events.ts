import {
  familyPrefixOf,
  InternalEventTypes,
  type CloudEvent,
  type FlagSubject,
  type RuleId,
  type Severity,
} from '@aidwatch/domain';

/**
 * The alert lifecycle types (CONTRACT "Alerts"): each a fact with who (`by`), when (`at`) and why. Their rows
 * are in the event catalogue (`InternalEventCatalogue`).
 */
export const AlertEventTypes = {
  Acknowledged: InternalEventTypes.AlertAcknowledged,
  Resolved: InternalEventTypes.AlertResolved,
  Assigned: InternalEventTypes.AlertAssigned,
  Commented: InternalEventTypes.AlertCommented,
} as const;
export type AlertEventType = (typeof AlertEventTypes)[keyof typeof AlertEventTypes];

export const SilenceEventTypes = {
  Created: InternalEventTypes.SilenceCreated,
  Expired: InternalEventTypes.SilenceExpired,
} as const;

/** The family of the alert lifecycle types (`aidwatch.alert.`), every version: from their catalogue rows. */
export const ALERT_EVENT_PREFIX = familyPrefixOf(AlertEventTypes.Acknowledged);
/** The family of the silence types (`aidwatch.silence.`), every version: from their catalogue rows. */
export const SILENCE_EVENT_PREFIX = familyPrefixOf(SilenceEventTypes.Created);
export const ALERTS_SOURCE = 'aidwatch/alerts';

export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';
export const AlertStatuses: readonly AlertStatus[] = ['firing', 'acknowledged', 'resolved'];

/** What a lifecycle event says about its alert, so that consumers can filter and route without a lookup. */
export interface AlertSummary {
  alertId: string;
  rule: RuleId;
  severity: Severity;
  subject: FlagSubject;
  consignmentIds: string[];
  /** The alert's status after this event. */
  status: AlertStatus;
}

export interface AlertLifecycleData {
  alertId: string;
  /** Who did it: the principal's id (API key id or JWT subject). */
  by: string;
  /** When (wall clock of the API, RFC 3339). */
  at: string;
  /** Why (required for `resolved`, optional otherwise). */
  note?: string;
  /** `assigned` only: to whom. */
  assignee?: string;
  /**
   * Set when the action is one organisation's on an alert shared with other organisations (a vessel
   * carrying several organisations' aid): it changes that organisation's view of the alert only (its
   * status and assignee), and `alert.status` is the status of that view. Absent: the action is on the
   * alert itself (an operator's, or an organisation's on an alert concerning it alone).
   */
  organisation?: string;
  alert: AlertSummary;
}

export type AlertLifecycleEvent = CloudEvent<AlertEventType, AlertLifecycleData>;

export function alertLifecycleEvent(
  id: string,
  type: AlertEventType,
  data: AlertLifecycleData,
): AlertLifecycleEvent {
  return {
    specversion: '1.0',
    id,
    source: ALERTS_SOURCE,
    type,
    subject: data.alert.subject.id,
    time: data.at,
    datacontenttype: 'application/json',
    data,
  };
}

/** Stream of one alert's lifecycle events (its id is the fingerprint of its problem). */
export const alertStream = (alertId: string): string => `alert-${alertId}`;
export const silenceStream = (silenceId: string): string => `silence-${silenceId}`;
