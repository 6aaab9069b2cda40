import { EventTypes, type Flag, type FlagClearedData } from '@aidwatch/domain';
import type { BookEvent } from '../alert-book';
import { alertLifecycleEvent, type AlertEventType, type AlertLifecycleData } from '../alert-events';
import { SilenceEventTypes, type SilenceCreatedData } from '../index';

let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 6, minute)).toISOString();

/** A flag of a problem (`fingerprint`) with its own evidence (`flagId`). */
export function flag(overrides: Partial<Flag> & { fingerprint: string; flagId: string }): Flag {
  return {
    rule: 'access-denied',
    severity: 'high',
    subject: { kind: 'consignment', id: 'C-1' },
    consignmentIds: ['C-1'],
    observed: {},
    threshold: {},
    evidence: ['e1'],
    explanation: 'A monitor was denied access.',
    raisedAt: at(0),
    ...overrides,
  };
}

export function raised(f: Flag, recordedMinute = 0): BookEvent {
  return {
    id: `${f.flagId}:raised`,
    type: EventTypes.FlagRaised,
    data: {
      specversion: '1.0',
      id: `${f.flagId}:raised`,
      source: 'test',
      type: EventTypes.FlagRaised,
      time: f.raisedAt,
      data: f,
    },
    recordedAt: at(recordedMinute),
  };
}

export function cleared(f: Flag, reason = 'condition no longer holds', recordedMinute = 0): BookEvent {
  const data: FlagClearedData = {
    flagId: f.flagId,
    fingerprint: f.fingerprint,
    rule: f.rule,
    subject: f.subject,
    consignmentIds: f.consignmentIds,
    reason,
    evidence: f.evidence,
    clearedAt: f.raisedAt,
  };
  return {
    id: `${f.flagId}:cleared`,
    type: EventTypes.FlagCleared,
    data: {
      specversion: '1.0',
      id: `${f.flagId}:cleared`,
      source: 'test',
      type: EventTypes.FlagCleared,
      time: f.raisedAt,
      data,
    },
    recordedAt: at(recordedMinute),
  };
}

export function lifecycle(type: AlertEventType, data: AlertLifecycleData, recordedMinute = 0): BookEvent {
  const id = `life-${++seq}`;
  return { id, type, data: alertLifecycleEvent(id, type, data), recordedAt: at(recordedMinute) };
}

export function silenceCreated(data: SilenceCreatedData, recordedMinute = 0): BookEvent {
  const id = `silence-${data.silenceId}`;
  return {
    id,
    type: SilenceEventTypes.Created,
    data: { specversion: '1.0', id, source: 'test', type: SilenceEventTypes.Created, time: data.at, data },
    recordedAt: at(recordedMinute),
  };
}

export function fact(type: string, data: unknown, id = `fact-${++seq}`): BookEvent {
  return {
    id,
    type,
    data: { specversion: '1.0', id, source: 'test', type, time: at(0), data },
    recordedAt: at(0),
  };
}

export const minute = at;
