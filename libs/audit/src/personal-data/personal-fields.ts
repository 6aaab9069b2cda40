import { EventTypes } from '@aidwatch/domain';

/** What kind of person a personal field names; part of the data subject's id (`monitor:MON-017`). */
export type SubjectKind = 'monitor' | 'recipient';

/**
 * Fields of the contract's events that identify a person (GDPR Art. 4(1); UN Personal Data Protection and
 * Privacy Principles, 2018): the monitor who visited or was turned away, and who received a delivery.
 * Each is stored encrypted with a key of its own data subject.
 */
export const personalFields: Readonly<Record<string, ReadonlyArray<{ field: string; kind: SubjectKind }>>> = {
  [EventTypes.VerificationReported]: [{ field: 'monitorId', kind: 'monitor' }],
  [EventTypes.AccessDenied]: [{ field: 'monitorId', kind: 'monitor' }],
  [EventTypes.DeliveryRecorded]: [{ field: 'receivedBy', kind: 'recipient' }],
};

/** `monitor:MON-017`: the data subject named by a personal field's value. */
export const subjectOf = (kind: SubjectKind, value: string): string => `${kind}:${value}`;
