import fc from 'fast-check';
import { CheckpointSubjects, type SubjectKind } from './checkpoint-subjects';

/** Two kinds as the detectors have them: one noting its own changes, one told of them. */
function model() {
  const vessels = new Map<string, number>();
  const changedVessels = new Set<string>();
  const ports = new Map<string, number>();
  const kinds: SubjectKind[] = [
    {
      kind: 'vessel',
      ids: () => vessels.keys(),
      entry: (id) => (vessels.has(id) ? { n: vessels.get(id) } : undefined),
      takeChanged: () => {
        const ids = [...changedVessels];
        changedVessels.clear();
        return ids;
      },
    },
    { kind: 'port', ids: () => ports.keys(), entry: (id) => ports.get(id) },
  ];
  const subjects = new CheckpointSubjects(kinds);
  return { vessels, changedVessels, ports, subjects };
}

type Step =
  | { op: 'setVessel' | 'setPort'; id: string; n: number }
  | { op: 'dropVessel' | 'dropPort'; id: string }
  | { op: 'checkpoint' | 'whole' };

const id = fc.constantFrom('a', 'b', 'c', 'd:e', '1');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('setVessel' as const, 'setPort' as const), id, n: fc.integer() }),
  fc.record({ op: fc.constantFrom('dropVessel' as const, 'dropPort' as const), id }),
  fc.record({ op: fc.constantFrom('checkpoint' as const, 'whole' as const) }),
);

describe('CheckpointSubjects', () => {
  it('incremental checkpoints (changed keys, each entry) keep a copy equal to the whole entries', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { vessels, changedVessels, ports, subjects } = model();
        let copy = new Map<string, unknown>();
        const write = (keys: string[], replace: boolean) => {
          if (replace) copy = new Map();
          for (const key of keys) {
            const entry = subjects.entry(key);
            if (entry === undefined) copy.delete(key);
            else copy.set(key, entry);
          }
        };
        for (const s of [...steps, { op: 'checkpoint' } as const]) {
          if (s.op === 'setVessel' || s.op === 'dropVessel') {
            if (s.op === 'setVessel') vessels.set(s.id, s.n);
            else vessels.delete(s.id);
            changedVessels.add(s.id);
          } else if (s.op === 'setPort' || s.op === 'dropPort') {
            if (s.op === 'setPort') ports.set(s.id, s.n);
            else ports.delete(s.id);
            subjects.note('port', s.id);
          } else if (s.op === 'checkpoint') write(subjects.takeChangedKeys(), false);
          else {
            // A checkpoint written whole replaces every row before it.
            subjects.markAllChanged();
            write(subjects.takeChangedKeys(), true);
          }
        }
        expect(Object.fromEntries([...copy].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(
          subjects.entries(),
        );
        expect(subjects.takeChangedKeys()).toEqual([]);
      }),
    );
  });

  it('lists changed keys sorted and once, and forgets them on clearChanged', () => {
    const { vessels, changedVessels, ports, subjects } = model();
    vessels.set('b', 1);
    changedVessels.add('b');
    ports.set('CNDLC', 2);
    subjects.note('port', 'CNDLC');
    subjects.note('port', 'CNDLC');
    vessels.set('a', 3);
    changedVessels.add('a');
    expect(subjects.takeChangedKeys()).toEqual(['port:CNDLC', 'vessel:a', 'vessel:b']);
    subjects.note('port', 'KPNAM');
    changedVessels.add('a');
    subjects.clearChanged();
    expect(subjects.takeChangedKeys()).toEqual([]);
    // Whole entries: kinds in order, ids sorted; a key of no kind has no entry.
    expect(Object.keys(subjects.entries())).toEqual(['vessel:a', 'vessel:b', 'port:CNDLC']);
    expect(subjects.entry('vessel:a')).toEqual({ n: 3 });
    expect(subjects.entry('route:a')).toBeUndefined();
    expect(subjects.entry('no-colon')).toBeUndefined();
  });

  it('refuses two kinds of one name and a kind holding a colon', () => {
    const kind = (name: string): SubjectKind => ({ kind: name, ids: () => [], entry: () => undefined });
    expect(() => new CheckpointSubjects([kind('vessel'), kind('vessel')])).toThrow('given twice');
    expect(() => new CheckpointSubjects([kind('a:b')])).toThrow('holds a colon');
  });
});
