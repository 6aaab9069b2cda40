import type { Fix, VesselFact, VesselRule } from './vessel-rule';
import { VesselRules } from './vessel-rules';
import { VesselTrack } from './vessel-track';

const fix: Fix = { at: 1_000, lat: 0, lon: 0, sog: 5, eventId: 'e1' };

/** A rule counting what it hears, its state the list of hooks called. */
function recorder(name: string, log: string[], judgedWhenLagging = false): VesselRule<string[]> {
  return {
    name,
    judgedWhenLagging,
    initialState: () => [],
    onFix: (_v, s, f) => (log.push(`${name}.fix`), [...s, `fix@${f.at}`]),
    onFact: (_v, s, fact: VesselFact) => (log.push(`${name}.${fact.kind}`), [...s, fact.kind]),
    dueAt: (_v, s) => 5_000 + s.length,
    onDue: (_v, s, at) => (log.push(`${name}.due`), [...s, `due@${at}`]),
    toJSON: (s) => (s.length > 0 ? s : undefined),
    fromJSON: (json) => (json as string[] | undefined) ?? [],
  };
}

describe('vessel rules: every hook runs over the rules that have it, in list order', () => {
  it('keeps each rule’s state in its slot and runs facts, fixes and due times generically', () => {
    const log: string[] = [];
    const quiet: VesselRule<null> = {
      name: 'quiet',
      initialState: () => null,
      toJSON: () => undefined,
      fromJSON: () => null,
    };
    const rules = new VesselRules([
      recorder('a', log),
      quiet,
      recorder('b', log, true),
    ] as VesselRule<unknown>[]);
    const track = new VesselTrack('123456789', rules.initialStates());
    expect(track.states).toEqual([[], null, []]);
    rules.onFix(track, fix);
    rules.onFact(track, { kind: 'carriage' });
    expect(log).toEqual(['a.fix', 'b.fix', 'a.carriage', 'b.carriage']);
    expect(track.states).toEqual([['fix@1000', 'carriage'], null, ['fix@1000', 'carriage']]);
    expect(rules.dueAt(track, Number.POSITIVE_INFINITY)).toBe(5_002);
    rules.onDue(track, 5_002);
    expect(track.states[0]).toEqual(['fix@1000', 'carriage', 'due@5002']);
  });

  it('while the vessel lags, only the rules judged when lagging are due', () => {
    const log: string[] = [];
    const rules = new VesselRules([recorder('a', log), recorder('b', log, true)] as VesselRule<unknown>[]);
    const track = new VesselTrack('123456789', rules.initialStates());
    rules.onFix(track, fix);
    track.lagging = true;
    log.length = 0;
    rules.onDue(track, 10_000);
    expect(log).toEqual(['b.due']);
    expect(rules.dueAt(track, 4_000)).toBe(4_000);
  });
});
