import {
  CatalogueEntries,
  subjectOfEvent,
  typesConsumedBy,
  type AidEvent,
  type EventSubjectKind,
} from '@aidwatch/domain';
import { SampleBuilders, SampleIds } from '@aidwatch/domain/testing';
import { DiversionState } from './diversion-state';

const sampleOf = (type: string) => (SampleBuilders[type as keyof typeof SampleBuilders] as () => AidEvent)();

/** The subjects `DiversionState.apply` folds; an input's close or bound moves the detector's clocks instead. */
const folded: readonly EventSubjectKind[] = ['exemption', 'port', 'consignment'];

describe('the diversion state folds every catalogue row the diversion detector takes', () => {
  const rows = CatalogueEntries.filter((e) => typesConsumedBy('diversion').has(e.type));

  it.each(rows.map((e) => [e.type] as const))('%s', (type) => {
    const event = sampleOf(type);
    const subject = subjectOfEvent(event)!;
    expect([...folded, 'input']).toContain(subject.kind);
    const state = new DiversionState();
    const impact = state.apply(event);
    // It is kept under the key the detector notes as changed for it (`<kind>:<id>`, its checkpoint entry).
    const keys = (['exemption', 'port', 'consignment'] as const).flatMap((kind) =>
      [...state.subjectIds(kind)].map((id) => `${kind}:${id}`),
    );
    expect(keys).toEqual(folded.includes(subject.kind) ? [`${subject.kind}:${subject.id}`] : []);
    // A consignment's fold has a case for it: a fresh consignment's facts change and it is judged again.
    if (subject.kind === 'consignment') expect([...(impact?.consignments ?? [])]).toEqual([subject.id]);
  });

  it('a consignment event is keyed by its row subject, the sample consignment', () => {
    for (const row of rows.filter((e) => e.subject.kinds.includes('consignment')))
      expect(subjectOfEvent(sampleOf(row.type))).toEqual({
        kind: 'consignment',
        id: SampleIds.consignmentId,
      });
  });
});
