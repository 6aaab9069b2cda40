import {
  AlertEventTypes,
  type AlertEventType,
  type AlertLifecycleData,
  type AlertStatus,
} from './alert-events';
import { summaryOf, type Alert } from './alert-book';

/** An action on an alert: who does it, when (the caller's clock, RFC 3339) and why. */
export type AlertCommand =
  | { kind: 'acknowledge'; by: string; at: string; note?: string }
  | { kind: 'resolve'; by: string; at: string; note: string }
  | { kind: 'assign'; by: string; at: string; assignee: string; note?: string }
  | { kind: 'comment'; by: string; at: string; note: string };

/** The action does not fit the alert's status (HTTP 409). */
export class AlertConflictError extends Error {}
/** The action lacks something it needs, e.g. a resolution note (HTTP 400). */
export class InvalidAlertCommandError extends Error {}

/**
 * Decides an action on an alert: firing → acknowledged → resolved; `assign` and `comment` keep the
 * status. A resolved alert is re-opened by new evidence only (a new flag of its problem), not by hand.
 */
export function decide(
  alert: Alert,
  command: AlertCommand,
): { type: AlertEventType; data: AlertLifecycleData } {
  const text = (value: string | undefined) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  const base = { alertId: alert.alertId, by: command.by, at: command.at };
  const event = (type: AlertEventType, status: AlertStatus, extra: Partial<AlertLifecycleData>) => ({
    type,
    data: { ...base, ...extra, alert: summaryOf(alert, status) },
  });
  switch (command.kind) {
    case 'acknowledge':
      if (alert.status !== 'firing')
        throw new AlertConflictError(`alert ${alert.alertId} is ${alert.status}, not firing`);
      return event(AlertEventTypes.Acknowledged, 'acknowledged', withNote(text(command.note)));
    case 'resolve': {
      const note = text(command.note);
      if (!note) throw new InvalidAlertCommandError('a resolution needs a note saying why');
      if (alert.status === 'resolved')
        throw new AlertConflictError(`alert ${alert.alertId} is already resolved`);
      return event(AlertEventTypes.Resolved, 'resolved', { note });
    }
    case 'assign': {
      const assignee = text(command.assignee);
      if (!assignee) throw new InvalidAlertCommandError('an assignment needs an assignee');
      if (alert.status === 'resolved') throw new AlertConflictError(`alert ${alert.alertId} is resolved`);
      return event(AlertEventTypes.Assigned, alert.status, { assignee, ...withNote(text(command.note)) });
    }
    case 'comment': {
      const note = text(command.note);
      if (!note) throw new InvalidAlertCommandError('a comment needs text');
      return event(AlertEventTypes.Commented, alert.status, { note });
    }
  }
}

const withNote = (note: string | undefined): { note?: string } => (note ? { note } : {});
