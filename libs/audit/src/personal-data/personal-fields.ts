import { EventTable, type PersonalDataSubjectKind, type PersonalField } from '@aidwatch/domain';

/** What kind of person a personal field names; part of the data subject's id (`monitor:MON-017`). */
export type SubjectKind = PersonalDataSubjectKind;

/**
 * Fields of the stored events that identify a person (GDPR Art. 4(1); UN Personal Data Protection and
 * Privacy Principles, 2018), by event type: each row's `personalFields` in the event catalogue (the monitor
 * who visited or was turned away, who received a delivery). Each is stored encrypted with a key of its own
 * data subject.
 */
export const personalFields: Readonly<Record<string, ReadonlyArray<{ field: string; kind: SubjectKind }>>> =
  Object.fromEntries(
    EventTable.filter((row) => (row.personalFields ?? []).length > 0).map((row) => [
      row.type,
      row.personalFields as readonly PersonalField[],
    ]),
  );

/** `monitor:MON-017`: the data subject named by a personal field's value. */
export const subjectOf = (kind: SubjectKind, value: string): string => `${kind}:${value}`;
