import {
  encounterDraft,
  foldFigures,
  matchOf,
  matchOrder,
  newPair,
  pairFromJson,
  metTells,
  vesselToJson,
  qualifies,
  type EncounterMatch,
  type EncounterPair,
  type EncounterVessel,
  type EncounterVesselJson,
} from './encounter-episode';
import { distanceKm, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import type { MaritimeContext } from './maritime-context';
import { nearestPort } from './maritime-context';
import { RecentSamples, SampleCellIndex } from './recent-samples';
import { DecisionLog, draftFingerprint, raise, supersede, type Decisions, type Step } from './rule-decision';
import type { PortSearch, RuleHead, VesselRule } from './vessel-rule';
import type { Sample, VesselTrack } from './vessel-track';

export type { EncounterMatch, EncounterPair, EncounterPairJson, EncounterVessel } from './encounter-episode';

type State = EncounterVessel | null;

/**
 * Possible ship-to-ship transfer (Global Fishing Watch's definition): two vessels within 500 m for ≥ 2 h at
 * a median speed < 2 kn, ≥ 10 km from any port, on 10-minute samples, pieces < 4 h apart merged.
 *
 * Judged on event time, whatever order the two tracks arrive in. Each vessel keeps its slow samples away
 * from port for `lateHorizonHours` (`RecentSamples`), indexed by resampling interval and cell (`SampleCellIndex`). A new
 * such sample is compared with the other vessels' samples nearby of the same 10-minute interval, so
 * every pair of samples is compared exactly once — when the later-arriving of the two comes — whether the
 * partner's track came first or hours later. Matches are folded into the pair's episode in event-time order
 * once neither vessel can still deliver an earlier one: a vessel's reports arrive in its own order, so every
 * match whose later sample is not after both vessels' newest fixes has arrived. The episode (its start, end,
 * figures, evidence, and the moment it qualifies) is therefore the same in every arrival order that keeps
 * each vessel's own order; it ends once both vessels are past its end by the merge gap (or silent).
 *
 * One flag per vessel (subject = that vessel), each naming the other and carrying both vessels' aid; as it is
 * raised and as it takes the final figures (superseded by fingerprint), both vessels are told they `met`.
 */
export class EncounterRule implements VesselRule<State> {
  readonly name = 'encounter';
  /** Where this rule's state sits in each vessel (pairs are shared by two vessels; see `bind`). */
  private slot = -1;
  readonly index: SampleCellIndex<VesselTrack>;
  private readonly near = new Set<VesselTrack>();
  private readonly bins: number;
  private readonly silenceMs: number;
  private readonly skewMs: number;
  private readonly mergeGapMs: number;
  private readonly horizonMs: number;
  private readonly resampleMs: number;
  /** A meeting counts slow samples away from port (`onSample`). */
  readonly portSearch: PortSearch;
  droppedPairs = 0;
  activePairs = 0;
  /**
   * Slow samples away from port that came more than the late-track horizon behind the newest such sample of
   * any vessel: partners' samples of that time may be gone, so a meeting then may go unseen.
   */
  beyondHorizon = 0;
  /** Newest slow sample away from port of any vessel (ms). */
  private newestSampleAt = Number.NEGATIVE_INFINITY;
  /** The decisions of the hook running (settling a pair decides deep down), handed back with its result. */
  private readonly decisions = new DecisionLog();

  constructor(private readonly ctx: MaritimeContext) {
    const cfg = this.cfg;
    this.index = new SampleCellIndex(cfg.cellSizeKm, ctx.config.resampleMinutes * MS_PER_MINUTE);
    this.bins = Math.ceil(cfg.maxMedianSpeedKn / cfg.speedResolutionKn) + 1;
    this.silenceMs = ctx.config.aisGap.minGapHours * MS_PER_HOUR;
    this.skewMs = cfg.maxFixSkewMinutes * MS_PER_MINUTE;
    this.mergeGapMs = cfg.mergeGapHours * MS_PER_HOUR;
    this.horizonMs = cfg.lateHorizonHours * MS_PER_HOUR;
    this.resampleMs = ctx.config.resampleMinutes * MS_PER_MINUTE;
    this.portSearch = { belowKn: cfg.maxMedianSpeedKn, withinKm: cfg.minPortDistanceKm };
  }

  private get cfg() {
    return this.ctx.config.encounter;
  }

  initialState(): State {
    return null;
  }

  bind(slot: number): void {
    this.slot = slot;
  }

  /** Pairs dropped because a vessel had too many (`droppedPairs` in the maritime head). */
  readonly head: RuleHead = {
    toJSON: () => ({ droppedPairs: this.droppedPairs }),
    restore: (head) => void (this.droppedPairs = (head.droppedPairs as number | undefined) ?? 0),
  };

  stats(): Record<string, number> {
    return {
      openEncounters: this.activePairs,
      droppedPairs: this.droppedPairs,
      vesselsInGrid: this.index.size,
      encounterBeyondHorizon: this.beyondHorizon,
    };
  }

  private stateOf(track: VesselTrack): State {
    return track.states[this.slot] as State;
  }

  private ensure(track: VesselTrack): EncounterVessel {
    let state = this.stateOf(track);
    if (!state) {
      state = { samples: new RecentSamples(), pairs: [], silent: false };
      track.states[this.slot] = state;
    }
    return state;
  }

  /** The pairs the vessel is in (shared with their other vessels). */
  pairsOf(track: VesselTrack): readonly EncounterPair[] {
    return this.stateOf(track)?.pairs ?? [];
  }

  onSample(track: VesselTrack, state: State, s: Sample): Step<State> {
    const cfg = this.cfg;
    if (state) state.silent = false;
    if (s.sog < cfg.maxMedianSpeedKn && s.portKm >= cfg.minPortDistanceKm) {
      const own = this.ensure(track);
      if (s.at < this.newestSampleAt - this.horizonMs) this.beyondHorizon++;
      else if (s.at > this.newestSampleAt) this.newestSampleAt = s.at;
      own.samples.push(s);
      this.index.add(track, this.index.cellOf(s.lat, s.lon), s.at);
      this.index.forget(track, own.samples, s.at - this.horizonMs, cfg.maxSamplesPerVessel);
      this.ctx.changed(track);
      this.match(track, own, s);
    }
    const now = this.stateOf(track);
    if (now && now.pairs.length > 0) for (const pair of [...now.pairs]) this.settle(pair);
    return this.decisions.step(this.stateOf(track));
  }

  /** Compares a new sample with the other vessels' samples taken near it in space and time. */
  private match(track: VesselTrack, own: EncounterVessel, s: Sample): void {
    const maxKm = this.cfg.maxDistanceM / 1000;
    this.index.near(s.lat, s.lon, maxKm, s.at, track, this.near);
    if (this.near.size === 0) return;
    const others = [...this.near];
    if (others.length > 1) others.sort((x, y) => (x.mmsi < y.mmsi ? -1 : x.mmsi > y.mmsi ? 1 : 0));
    const at = own.samples.size - 1;
    for (const other of others) {
      const theirs = this.stateOf(other);
      if (!theirs) continue;
      const samples = theirs.samples;
      let pair: EncounterPair | undefined;
      const bucket = Math.floor(s.at / this.resampleMs);
      for (let i = samples.firstFrom(s.at - this.skewMs); i < samples.size; i++) {
        const otherAt = samples.at(i);
        if (otherAt > s.at + this.skewMs) break;
        if (Math.floor(otherAt / this.resampleMs) !== bucket) continue;
        const km = distanceKm(s.lat, s.lon, samples.lat(i), samples.lon(i));
        if (km > maxKm) continue;
        pair ??= this.pairOf(track, other);
        if (!pair) break;
        pair.pending.push(
          pair.a === track
            ? matchOf(own.samples, at, samples, i, km)
            : matchOf(samples, i, own.samples, at, km),
        );
      }
      if (pair) this.ctx.changed(pair.a);
    }
  }

  /** The pair of these two vessels, created when new (undefined when either has too many). */
  private pairOf(track: VesselTrack, other: VesselTrack): EncounterPair | undefined {
    const own = this.ensure(track);
    const existing = own.pairs.find((p) => p.a === other || p.b === other);
    if (existing) return existing;
    const theirs = this.ensure(other);
    if (
      own.pairs.length >= this.cfg.maxActivePairsPerVessel ||
      theirs.pairs.length >= this.cfg.maxActivePairsPerVessel
    ) {
      this.droppedPairs++;
      return undefined;
    }
    const [a, b] = track.mmsi < other.mmsi ? [track, other] : [other, track];
    const pair = newPair(a, b, this.bins);
    own.pairs.push(pair);
    theirs.pairs.push(pair);
    this.activePairs++;
    return pair;
  }

  /**
   * How far the vessel's reports have come: no sample of it can still arrive at or before this time. A
   * silent vessel counts as having no later samples, unless `reported` asks for its newest fix alone.
   */
  private progressOf(track: VesselTrack, reported = false): number {
    return !reported && this.stateOf(track)?.silent ? Number.POSITIVE_INFINITY : track.lastAt;
  }

  /** Whether the episode is over by the vessels' progress (with silences counted, unless `reported`). */
  private over(pair: EncounterPair, reported: boolean): boolean {
    const sealed = Math.min(this.progressOf(pair.a, reported), this.progressOf(pair.b, reported));
    return sealed - this.skewMs > pair.lastCloseAt + this.mergeGapMs || this.cannotGoOn(pair, reported);
  }

  /**
   * Folds the matches neither vessel can still precede, in event-time order, and ends the episode once both
   * vessels are past its end by the merge gap (a later match would start another).
   */
  private settle(pair: EncounterPair): void {
    const sealed = Math.min(this.progressOf(pair.a), this.progressOf(pair.b));
    if (pair.pending.length > 0) {
      if (pair.pending.length > 1) pair.pending.sort(matchOrder);
      let n = 0;
      while (n < pair.pending.length && pair.pending[n].tMax <= sealed) this.fold(pair, pair.pending[n++]);
      if (n > 0) {
        pair.pending.splice(0, n);
        this.ctx.changed(pair.a);
      }
    }
    if (pair.started && !pair.dormant && this.over(pair, false)) {
      // Over only because a vessel counts as silent: final for now, but a later fix of it may continue it.
      if (this.over(pair, true)) this.finalize(pair);
      else this.suspend(pair);
    }
    // A dormant episode neither vessel's reports can continue any more is over for good.
    if (pair.dormant && pair.pending.length === 0 && this.over(pair, true)) this.forget(pair);
    if (!pair.started && pair.pending.length === 0) this.drop(pair);
  }

  /**
   * Whether no match can join the episode any more although one vessel has not come that far: the other is
   * past the episode's end by the merge gap and kept no sample (slow, away from port) in the stretch the
   * lagging one's later samples could still meet. Every sample of the vessel ahead up to its newest fix is
   * known, so the episode is complete — the same one a timely partner track gives.
   */
  private cannotGoOn(pair: EncounterPair, reported = false): boolean {
    const windowEnd = pair.lastCloseAt + this.mergeGapMs + this.skewMs;
    for (const [ahead, behind] of [
      [pair.a, pair.b],
      [pair.b, pair.a],
    ]) {
      const behindAt = this.progressOf(behind, reported);
      if (!(this.progressOf(ahead, reported) >= windowEnd) || !(behindAt < windowEnd)) continue;
      const samples = this.stateOf(ahead)?.samples;
      const from = Math.max(pair.lastCloseAt, behindAt - this.skewMs);
      const i = samples ? samples.firstFrom(from) : 0;
      const next = samples && i < samples.size ? samples.at(i) : Number.POSITIVE_INFINITY;
      if (next === from) return false;
      if (!(next <= windowEnd)) return true;
    }
    return false;
  }

  private fold(pair: EncounterPair, m: EncounterMatch): void {
    if (pair.started && m.tMin - pair.lastCloseAt > this.mergeGapMs) {
      if (pair.dormant) this.forget(pair);
      else this.finalize(pair);
    }
    // A dormant episode continues: its flags (final so far) are superseded again when it ends.
    if (pair.dormant) pair.dormant = false;
    foldFigures(pair, m, this.cfg);
    if (!pair.flagFingerprints && qualifies(pair, this.cfg)) {
      const [a, b] = [this.draft(pair, pair.a, true), this.draft(pair, pair.b, true)];
      pair.flagFingerprints = [draftFingerprint(a), draftFingerprint(b)];
      this.decisions.add(raise(a), raise(b), ...metTells(pair));
    }
  }

  /**
   * A vessel with pairs is looked at again once silent for the AIS-gap threshold (not while it lags its
   * clock: its fixes may still be on their way, time model 7).
   */
  dueAt(track: VesselTrack, state: State): number {
    return state !== null && state.pairs.length > 0 && !state.silent ? track.lastAt + this.silenceMs : NaN;
  }

  /** The vessel went silent: it counts as having no later samples, so its pairs settle on the other's. */
  onDue(track: VesselTrack, state: State): Step<State> {
    if (!state) return state;
    state.silent = true;
    this.ctx.changed(track);
    for (const pair of [...state.pairs]) this.settle(pair);
    return this.decisions.step(this.stateOf(track));
  }

  /** The vessel is forgotten: every pair it is in is folded and ended, its samples leave the index. */
  onEvict(track: VesselTrack, state: State): Decisions {
    if (!state) return undefined;
    for (const pair of [...state.pairs]) {
      pair.pending.sort(matchOrder);
      for (const m of pair.pending) this.fold(pair, m);
      pair.pending.length = 0;
      if (pair.started && !pair.dormant) this.finalize(pair);
      this.drop(pair);
    }
    this.index.forget(track, state.samples, Number.POSITIVE_INFINITY, this.cfg.maxSamplesPerVessel);
    return this.decisions.take();
  }

  /** The vessel's samples and the pairs it is the first of (the other vessel's state names none of them). */
  toJSON(state: State, track: VesselTrack): unknown {
    return state ? vesselToJson(state, track) : undefined;
  }

  /** Restores this vessel's samples and own pairs, attaching each pair to its other vessel as well. */
  fromJSON(json: unknown, track: VesselTrack, resolve: (mmsi: string) => VesselTrack | undefined): State {
    // A snapshot of an earlier version kept a list of pairs only: those pairs are judged again from new samples.
    if (json === undefined || json === null || Array.isArray(json)) return this.stateOf(track);
    const saved = json as EncounterVesselJson;
    const own = this.ensure(track);
    own.samples = RecentSamples.fromJSON(saved.samples);
    own.silent = saved.silent;
    for (let i = 0; i < own.samples.size; i++)
      this.index.add(track, this.index.cellOf(own.samples.lat(i), own.samples.lon(i)), own.samples.at(i));
    if (own.samples.size > 0)
      this.newestSampleAt = Math.max(this.newestSampleAt, own.samples.at(own.samples.size - 1));
    for (const p of saved.pairs) {
      const other = resolve(p.b);
      if (!other) continue;
      const pair = pairFromJson(p, track, other);
      own.pairs.push(pair);
      this.ensure(other).pairs.push(pair);
      this.activePairs++;
    }
    return this.stateOf(track);
  }

  private drop(pair: EncounterPair): void {
    for (const track of [pair.a, pair.b]) {
      const state = this.stateOf(track);
      if (!state) continue;
      const i = state.pairs.indexOf(pair);
      if (i >= 0) state.pairs.splice(i, 1);
      this.ctx.changed(track);
    }
    this.activePairs--;
  }

  /**
   * Ends the episode for now (a vessel counts as silent): its flags take the figures so far as final, and the
   * episode stays, dormant, for a later fix of that vessel to continue.
   */
  private suspend(pair: EncounterPair): void {
    this.supersedeWithFinalFigures(pair);
    pair.dormant = true;
    this.ctx.changed(pair.a);
  }

  /** A dormant episode is over for good: its flags already carry its final figures. */
  private forget(pair: EncounterPair): void {
    pair.dormant = false;
    pair.started = false;
    pair.flagFingerprints = null;
    this.ctx.changed(pair.a);
  }

  private finalize(pair: EncounterPair): void {
    this.supersedeWithFinalFigures(pair);
    pair.started = false;
    pair.flagFingerprints = null;
    this.ctx.changed(pair.a);
  }

  /** The episode's flags, if raised, superseded by ones with its figures as final (`ongoing: false`). */
  private supersedeWithFinalFigures(pair: EncounterPair, flags = pair.flagFingerprints): void {
    if (!flags) return;
    const [a, b] = [this.draft(pair, pair.a, false), this.draft(pair, pair.b, false)];
    pair.flagFingerprints = [draftFingerprint(a), draftFingerprint(b)];
    this.decisions.add(supersede(flags[0], a), supersede(flags[1], b));
    // The flags it brought (a designated partner) follow its final figures.
    this.decisions.add(...metTells(pair));
  }

  private draft(pair: EncounterPair, subject: VesselTrack, ongoing: boolean) {
    return encounterDraft(pair, subject, ongoing, nearestPort(this.ctx, pair.lat, pair.lon), this.cfg);
  }
}
