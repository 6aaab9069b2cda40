import { fingerprintOf } from '../flag-identity';
import type { VesselFact } from './vessel-fact';
import type { VesselFlagDraft } from './vessel-flag-draft';
import type { VesselTrack } from './vessel-track';

/**
 * What a maritime rule decided about flags in one step, applied by the detector in order (see `FlagSink`,
 * which adds the aid on board, escalates, marks reopened flags and keeps the open ones). A rule names a flag
 * it raised earlier by its fingerprint (`draftFingerprint` of its draft); a flag no longer kept open under
 * that fingerprint (see `OpenVesselFlags`, bounded per vessel) is not judged again:
 * - `raise`: a new flag from `draft`;
 * - `raise-again`: the flag `draft` builds, judged again (a replay): unchanged when the same flag (same id) is
 *   open, else it supersedes the open flag of its fingerprint;
 * - `supersede`: the flag open under fingerprint `previous` (null: none) gives way to the one `draft` builds
 *   (nothing changes when that is the same flag, same id);
 * - `clear`: the flag open under `fingerprint` is cleared at `atMs` (ms) for `reason`.
 */
export type FlagDecision =
  | { readonly kind: 'raise'; readonly draft: VesselFlagDraft }
  | { readonly kind: 'raise-again'; readonly draft: VesselFlagDraft }
  | { readonly kind: 'supersede'; readonly previous: string | null; readonly draft: VesselFlagDraft }
  | { readonly kind: 'clear'; readonly fingerprint: string; readonly atMs: number; readonly reason: string };

/**
 * A decision of one step: about flags (`FlagDecision`), or a fact for other rules — `tell`: every rule of
 * `vessel` hears `fact` (`VesselRule.onFact`, in list order); `tell-all`: so does every vessel kept, in the
 * order they were first tracked. A fact is heard once the decisions before it are applied.
 */
export type Decision =
  | FlagDecision
  | { readonly kind: 'tell'; readonly vessel: VesselTrack; readonly fact: VesselFact }
  | { readonly kind: 'tell-all'; readonly fact: VesselFact };

/** The decisions of a step; undefined (or empty) when it decided nothing. */
export type Decisions = readonly Decision[] | undefined;

export const raise = (draft: VesselFlagDraft): Decision => ({ kind: 'raise', draft });
export const raiseAgain = (draft: VesselFlagDraft): Decision => ({ kind: 'raise-again', draft });
export const supersede = (previous: string | null, draft: VesselFlagDraft): Decision => ({
  kind: 'supersede',
  previous,
  draft,
});
export const clear = (fingerprint: string, atMs: number, reason: string): Decision => ({
  kind: 'clear',
  fingerprint,
  atMs,
  reason,
});
export const tell = (vessel: VesselTrack, fact: VesselFact): Decision => ({ kind: 'tell', vessel, fact });
export const tellAll = (fact: VesselFact): Decision => ({ kind: 'tell-all', fact });

/** The fingerprint of the flag a draft builds (its rule, vessel and key; 32 hex digits). */
export const draftFingerprint = (draft: Pick<VesselFlagDraft, 'rule' | 'mmsi' | 'key'>): string =>
  fingerprintOf(draft.rule, { kind: 'vessel', id: draft.mmsi }, draft.key);

/** A hook's next state with the decisions of its step (made only when there is at least one). */
export class Decided<S> {
  constructor(
    readonly state: S,
    readonly decisions: readonly Decision[],
  ) {}
}

/**
 * What a hook returns: the next state, or — when it decided something — the next state with its decisions
 * (`Decided`). A step that decides nothing allocates nothing.
 */
export type Step<S> = S | Decided<S>;

/** `state` with `decisions` (none: `state` itself). */
export function decided<S>(state: S, decisions: Decisions | null): Step<S> {
  return decisions && decisions.length > 0 ? new Decided(state, decisions) : state;
}

/** `state` with `decision` (null: `state` itself). */
export function withDecision<S>(state: S, decision: Decision | null): Step<S> {
  return decision === null ? state : new Decided(state, [decision]);
}

/** `step` with `more` decisions after its own (none: `step` itself). */
export function followedBy<S>(step: Step<S>, more: readonly Decision[] | null): Step<S> {
  if (more === null || more.length === 0) return step;
  return step instanceof Decided
    ? new Decided(step.state as S, [...step.decisions, ...more])
    : new Decided(step, more);
}

/**
 * The fingerprint of a flag a checkpoint of an earlier version kept whole in a rule's state (a `Flag`, or
 * null), which rules now name by fingerprint; null when there was none.
 */
export function storedFingerprint(flag: unknown): string | null {
  const fingerprint = (flag as { fingerprint?: unknown } | null | undefined)?.fingerprint;
  return typeof fingerprint === 'string' ? fingerprint : null;
}

/** Appends `decision` to `list`, made on the first one (a step that decides nothing allocates nothing). */
export function add(list: Decision[] | null, decision: Decision | null): Decision[] | null {
  if (decision === null) return list;
  if (list === null) return [decision];
  list.push(decision);
  return list;
}

/**
 * The decisions of a rule whose helpers decide deep down, collected during one hook call and handed back with
 * its result (`step`, `take`); nothing is allocated until the first.
 */
export class DecisionLog {
  private list: Decision[] | null = null;

  add(...decisions: Decision[]): void {
    if (this.list === null) this.list = decisions;
    else this.list.push(...decisions);
  }

  /** `state` with the decisions collected since the last hand-back. */
  step<S>(state: S): Step<S> {
    const list = this.list;
    if (list === null) return state;
    this.list = null;
    return new Decided(state, list);
  }

  /** The decisions collected since the last hand-back (undefined: none). */
  take(): Decisions {
    const list = this.list;
    this.list = null;
    return list ?? undefined;
  }
}
