import type { VesselStaticData } from '@aidwatch/domain';
import type { PortRecord } from './port-index';
import { Decided, type Decision, type Decisions, type FlagDecision } from './rule-decision';
import type { Fix, SharedFact, VesselFact, VesselRule } from './vessel-rule';
import type { Sample, VesselTrack } from './vessel-track';

type AnyRule = VesselRule<unknown>;
type Hook = keyof Omit<
  VesselRule<unknown>,
  | 'name'
  | 'judgedWhenLagging'
  | 'portSearch'
  | 'initialState'
  | 'toJSON'
  | 'fromJSON'
  | 'subjects'
  | 'head'
  | 'stats'
  | 'bind'
>;
const HOOKS: readonly Hook[] = [
  'onFix',
  'onPastFix',
  'onLateFix',
  'onSample',
  'onPortVisit',
  'onStatic',
  'onFact',
  'onShared',
  'dueAt',
  'onDue',
  'onEvict',
];

/** Where the rules' decisions go: flags to the detector's sink, facts to the vessels kept. */
export interface DecisionTarget {
  /** Applies one flag decision (see `FlagSink.apply`). */
  applyFlag(decision: FlagDecision): void;
  /** Every vessel kept, in the order they were first tracked (for `tell-all`). */
  vessels(): Iterable<VesselTrack>;
}

/**
 * The maritime rules over each vessel, in the order their hooks run: a rule's index in `list` is its state's
 * slot in each vessel (`VesselTrack.states`). Every hook is run over the rules that have it, generically —
 * each gets the vessel and its own state and returns the next, with the decisions of its step — so a new
 * rule is one more entry in the list. A rule's decisions are applied, in order, as soon as its hook returns
 * (after its next state is stored): a fact it tells runs the told vessel's `onFact` hooks then.
 */
export class VesselRules {
  /** The slots of the rules that have each hook, in rule order. */
  private readonly slots: Record<Hook, number[]>;

  /** `target`: where decisions go (by default none may be made: rules that only evolve their state). */
  constructor(
    readonly list: readonly AnyRule[],
    private readonly target: DecisionTarget = noTarget,
  ) {
    const slots = {} as Record<Hook, number[]>;
    for (const hook of HOOKS)
      slots[hook] = list.flatMap((rule, slot) => (rule[hook] === undefined ? [] : [slot]));
    this.slots = slots;
    list.forEach((rule, slot) => rule.bind?.(slot));
  }

  /** Every rule's state of a vessel it has nothing about yet, by slot. */
  initialStates(): unknown[] {
    return this.list.map((rule) => rule.initialState());
  }

  /** A fix newer than the vessel's newest (before the vessel's newest fix moves to it). */
  onFix(track: VesselTrack, fix: Fix): void {
    const states = track.states;
    for (const i of this.slots.onFix)
      this.store(states, i, (this.list[i].onFix as Hooks['onFix'])(track, states[i], fix));
  }

  /** A fix older than the vessel's newest, however late, from input `source`. */
  onPastFix(track: VesselTrack, fix: Fix, source: string): void {
    const states = track.states;
    for (const i of this.slots.onPastFix)
      this.store(states, i, (this.list[i].onPastFix as Hooks['onPastFix'])(track, states[i], fix, source));
  }

  /** A fix not newer than the vessel's newest, within the late tolerance. */
  onLateFix(track: VesselTrack, fix: Fix): void {
    const states = track.states;
    for (const i of this.slots.onLateFix)
      this.store(states, i, (this.list[i].onLateFix as Hooks['onLateFix'])(track, states[i], fix));
  }

  /** The vessel's first sample in a resampling interval; `arrivedAt`: the port whose visit it began, if any. */
  onSample(track: VesselTrack, sample: Sample, arrivedAt: PortRecord | null): void {
    const states = track.states;
    if (arrivedAt)
      for (const i of this.slots.onPortVisit)
        this.store(
          states,
          i,
          (this.list[i].onPortVisit as Hooks['onPortVisit'])(track, states[i], arrivedAt, sample),
        );
    for (const i of this.slots.onSample)
      this.store(states, i, (this.list[i].onSample as Hooks['onSample'])(track, states[i], sample));
  }

  /** Whether some sample rule keeps an open episode (then a fast sample still needs its distance to port). */
  hasOpenSampleState(track: VesselTrack): boolean {
    const states = track.states;
    for (const i of this.slots.onSample) if (states[i] !== null) return true;
    return false;
  }

  /** A static report no older than the vessel's newest, `at` (ms). */
  onStatic(track: VesselTrack, data: VesselStaticData, at: number, eventId: string): void {
    const states = track.states;
    for (const i of this.slots.onStatic)
      this.store(
        states,
        i,
        (this.list[i].onStatic as Hooks['onStatic'])(track, states[i], data, at, eventId),
      );
  }

  /** A fact about the vessel beyond its own reports (see `VesselFact`), told to every rule in order. */
  onFact(track: VesselTrack, fact: VesselFact): void {
    const states = track.states;
    for (const i of this.slots.onFact)
      this.store(states, i, (this.list[i].onFact as Hooks['onFact'])(track, states[i], fact));
  }

  /** A fact that is no one vessel's report (see `SharedFact`), told to every rule in order. */
  onShared(fact: SharedFact): void {
    for (const i of this.slots.onShared) this.apply((this.list[i].onShared as Hooks['onShared'])(fact));
  }

  /**
   * The earliest of `due` and the rules' due times (ms); while the vessel lags, only the rules judged when
   * lagging count.
   */
  dueAt(track: VesselTrack, due: number): number {
    const states = track.states;
    for (const i of this.slots.dueAt) {
      if (track.lagging && !this.list[i].judgedWhenLagging) continue;
      const at = (this.list[i].dueAt as Hooks['dueAt'])(track, states[i]);
      if (at < due) due = at;
    }
    return due;
  }

  /** The vessel's clock reached `watermark` (ms): each rule whose due time it passed is judged. */
  onDue(track: VesselTrack, watermark: number): void {
    const states = track.states;
    for (const i of this.slots.onDue) {
      const rule = this.list[i];
      if (track.lagging && !rule.judgedWhenLagging) continue;
      const dueAt = (rule.dueAt as Hooks['dueAt'])(track, states[i]);
      if (dueAt <= watermark) this.store(states, i, (rule.onDue as Hooks['onDue'])(track, states[i], dueAt));
    }
  }

  /** The vessel is forgotten. */
  onEvict(track: VesselTrack): void {
    const states = track.states;
    for (const i of this.slots.onEvict)
      this.apply((this.list[i].onEvict as Hooks['onEvict'])(track, states[i]));
  }

  /** Stores a hook's next state in slot `i`, then applies the decisions of its step. */
  private store(states: unknown[], i: number, step: unknown): void {
    if (step instanceof Decided) {
      states[i] = step.state;
      this.apply(step.decisions);
    } else states[i] = step;
  }

  /** Applies decisions in order: flags through the target, facts to the vessels told. */
  apply(decisions: Decisions): void {
    if (!decisions) return;
    for (const d of decisions) this.applyOne(d);
  }

  private applyOne(d: Decision): void {
    if (d.kind === 'tell') this.onFact(d.vessel, d.fact);
    else if (d.kind === 'tell-all') for (const track of this.target.vessels()) this.onFact(track, d.fact);
    else this.target.applyFlag(d);
  }
}

type Hooks = Required<AnyRule>;

const noTarget: DecisionTarget = {
  applyFlag: () => {
    throw new Error('a flag decision with no flag sink to apply it');
  },
  vessels: () => [],
};
