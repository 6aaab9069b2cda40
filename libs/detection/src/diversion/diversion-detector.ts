import {
  EventTypes,
  subjectOfEvent,
  typesConsumedBy,
  type AidEvent,
  type Flag,
  type PortDeclaredData,
  type RuleId,
} from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { fingerprintOf } from '../flag-identity';
import type { Detector } from '../detector';
import { noChanges, OpenFlags, type FlagChanges } from '../open-flags';
import { InputClocks, inputIdOf, type InputClock, type InputClockJson } from '../input-clocks';
import { ChangedKeys, InputQueues } from '../input-queues';
import { DAY_MS, defaultDiversionConfig, latenessMs, type DiversionConfig } from './diversion-config';
import { toIso } from './diversion-context';
import { evaluateDiversionRules } from './diversion-rules';
import { DiversionState } from './diversion-state';
import type { LedgerMove } from './exemption-ledger';
import { consignmentIdOf, factTimeOf, type ConsignmentFactsJson } from './consignment-facts';
import type { ExemptionFactsJson, PortFact } from './exemption-facts';
import { consignmentViewOf, type ConsignmentView } from './consignment-view';
import { DeadlineQueue } from './deadline-queue';
import { overDrawsOf } from './over-authorisation.rule';

/** What this detector folds (the catalogue's routing); `noteChanged` keys its subjects. */
const diversionTypes = typesConsumedBy('diversion');

/**
 * Consignments one event judges beyond those it concerns (others of the programme whose cumulative
 * quantities it moved across a limit); more wait for `settle`. About 2 ms of judging at ~30 µs each.
 */
export const FANOUT_PER_EVENT = 64;

/**
 * Rules about inconsistent paperwork — quantities that shrink between steps, custody that does not follow
 * the goods, items outside the exemption in the paperwork at hand — whose findings wait until the
 * consignment's clock has passed their newest evidence (docs/time-model.md 9): the missing step, or an earlier
 * step that belongs in the same finding (a loading between a registration and a delivery that came first),
 * may still be on its way from another feed.
 */
const judgedOncePassed: ReadonlySet<RuleId> = new Set<RuleId>([
  'quantity-shrinkage',
  'broken-custody',
  'item-not-exempt',
]);

/** What is not kept per subject. */
export interface DiversionHead {
  format: 'aidwatch.diversion.v2';
  inputs: InputClockJson[];
  /** Closed sources and the time each ends (ms); absent in older checkpoints (see `InputClocks.restore`). */
  closedSources?: Record<string, number>;
}

/** One consignment: its facts, its open flags and when it must be judged again (null: never). */
export interface ConsignmentEntry {
  facts: ConsignmentFactsJson;
  /** The inputs (CloudEvents sources) that reported the consignment. */
  inputs: string[];
  /** The clock it was last judged at (ms), null before any judgement. */
  judgedAt: number | null;
  openFlags: Flag[];
  /** Flag ids cleared and how many times (see `OpenFlags`), oldest first; absent when none. */
  clearedFlags?: Array<[string, number]>;
  deadline: number | null;
  /** Waiting for `settle` since the event of this time (ISO 8601); absent when not. */
  unsettledAt?: string;
}

/**
 * The diversion state as plain JSON: the head and one entry per subject — `consignment:<id>`
 * (ConsignmentEntry), `exemption:<id>` (its grants and revocations), `port:<locode>` (the declaration).
 */
export interface DiversionSnapshot {
  head: DiversionHead;
  entries: Record<string, unknown>;
}

/**
 * Diversion detection per consignment. Each event is folded into the facts, then the consignments it can
 * affect (itself, others of its exemption whose cumulative quantities moved, others citing the same
 * documents) are judged again by every rule and reconciled with their open flags. Judgements that depend on
 * time register the moment they may change in a deadline queue that the watermark drains.
 */
export class DiversionDetector implements Detector {
  private readonly open = new Map<string, OpenFlags>();
  /** Per input, the consignments whose clock it holds, by the time they must be judged again. */
  private readonly deadlines: InputQueues<string, DeadlineQueue>;
  /** The time each waiting consignment must be judged again, and the input whose queue holds it. */
  private readonly due = new Map<string, { at: number; home: InputClock }>();
  /** The inputs that reported each consignment. */
  private readonly inputsOf = new Map<string, InputClock[]>();
  /**
   * The inputs of each family — the consignments of one exemption, or an unregistered consignment alone
   * (which has no clock yet) — whose clock a consignment is judged by (see `clockOf`), in input id order;
   * kept up to date as consignments join and report, worked out afresh when one leaves.
   */
  private readonly familyInputs = new Map<string, InputClock[]>();
  /** The clock each consignment was last judged at: its clock never moves back. */
  private readonly judgedAt = new Map<string, number>();
  /** What each consignment's last evaluation found (rule, key, evidence), to skip reconciling when unchanged. */
  private readonly signatures = new Map<string, string>();
  private readonly changedKeys = new ChangedKeys();
  /**
   * Consignments of a programme whose over-authorisation verdict moved with another consignment's change,
   * beyond what one event judges at once (`FANOUT_PER_EVENT`), with the time (ISO 8601) of the event that
   * moved them: judged a slice per event and by `settle` (see `handle`).
   */
  private readonly unsettled = new Map<string, string>();
  /** Watermarks of the inputs of consignment and reference events. */
  readonly clocks: InputClocks;

  constructor(
    private readonly config: DiversionConfig = defaultDiversionConfig,
    ports: readonly PortDeclaredData[] = [],
    private readonly state: DiversionState = new DiversionState(),
    clocks?: InputClocks,
  ) {
    this.clocks =
      clocks ?? new InputClocks(config.inputIdleDays * DAY_MS, 'all', config.inputEndQuietMinutes * 60_000);
    this.deadlines = new InputQueues(this.clocks, () => new DeadlineQueue());
    for (const port of ports)
      state.declarePort(port, { eventId: `port:${port.locode}`, time: 0, recordedAt: 0 });
  }

  /**
   * Folds one event: its input's watermark moves to the event's fact time, the consignments it can affect are
   * judged (each at its own clock), and those waiting on this input whose time came are judged again.
   * `lane`/`pending`: the Kafka partition it came by and the records still pending there when it was fetched
   * (see `InputClocks.observe`).
   */
  handle(event: AidEvent, lane?: string, pending?: number): FlagChanges {
    if (event.type === EventTypes.InputClosed)
      return this.closeInput(event.data.source, Date.parse(event.data.at), lane);
    if (event.type === EventTypes.InputBounded)
      return this.closeInput(event.data.source, Date.parse(event.data.until), lane, true);
    const time = factTimeOf(event);
    const input = this.clocks.input(inputIdOf(event.source, lane));
    // The fact first, then the clocks: nothing is judged without the event that may settle it.
    const idleMoved = Number.isFinite(time)
      ? this.clocks.observe(input, time, latenessMs(this.config), pending)
      : false;
    const consignmentId = consignmentIdOf(event);
    const familyBefore = consignmentId === undefined ? undefined : this.familyOf(consignmentId);
    const impact = this.state.apply(event);
    if (consignmentId !== undefined) {
      const family = this.familyOf(consignmentId);
      if (family !== familyBefore) {
        // The family it left may have lost inputs: worked out afresh when next asked (rare: a registration
        // corrected to another exemption, or an unregistered consignment's own family, no longer used). The
        // family it joined gains its inputs in place: working it out afresh would walk every consignment of the
        // exemption at each registration, quadratic in a programme's size.
        this.familyInputs.delete(familyBefore as string);
        const joined = this.familyInputs.get(family);
        if (joined) for (const known of this.inputsOf.get(consignmentId) ?? []) addInput(joined, known);
      }
      this.reportedBy(consignmentId, input);
    }
    this.noteChanged(event);
    const changes = noChanges();
    if (impact) {
      const at = toIso(time);
      // An exemption's grant, amendment or revocation concerns every consignment of the programme: beyond
      // what one event judges, they wait their turn like a large fan-out (below).
      const ids = new Set<string>();
      for (const c of impact.consignments)
        if (ids.size < FANOUT_PER_EVENT || c === consignmentId) ids.add(c);
        else this.unsettle(c, at);
      for (const [exemptionId, moves] of impact.ledgers)
        for (const c of this.overDrawsMoved(exemptionId, moves)) if (!ids.has(c)) this.unsettle(c, at);
      // A fan-out one event can afford is judged with it. A larger one — a correction of an early
      // consignment moving the cumulative quantities of every later one across the limit, again and again —
      // is judged a slice per event and by `settle`, so no event of any organisation waits behind it.
      if (this.unsettled.size <= FANOUT_PER_EVENT) for (const c of this.takeUnsettled()) ids.add(c);
      for (const c of [...ids].sort()) {
        this.unsettled.delete(c);
        merge(changes, this.judge(c, at));
      }
    }
    if (this.unsettled.size > 0) merge(changes, this.settle(FANOUT_PER_EVENT));
    merge(changes, this.judgeDue(input));
    if (idleMoved) merge(changes, this.followFrontier(input));
    return changes;
  }

  /**
   * Judges up to `limit` consignments whose over-authorisation verdict another consignment's change moved
   * (see `handle`), oldest first, each as of the event that moved it. The detection projection calls it
   * between events until none is left (`unsettledCount`).
   */
  settle(limit = Number.POSITIVE_INFINITY): FlagChanges {
    const changes = noChanges();
    let judged = 0;
    for (const [c, at] of this.unsettled) {
      if (judged++ >= limit) break;
      this.unsettled.delete(c);
      merge(changes, this.judge(c, at));
    }
    return changes;
  }

  /** How many consignments wait for `settle`. */
  unsettledCount(): number {
    return this.unsettled.size;
  }

  private unsettle(consignmentId: string, at: string): void {
    if (this.unsettled.has(consignmentId)) return;
    this.unsettled.set(consignmentId, at);
    this.changedKeys.add(`consignment:${consignmentId}`);
  }

  private takeUnsettled(): string[] {
    const ids = [...this.unsettled.keys()];
    this.unsettled.clear();
    return ids;
  }

  /**
   * The source `source` ended at `at` (`aidwatch.input.closed.v1`, come by `lane`; an import of a programme's
   * old paperwork): from now on the consignments of its inputs — every partition its events came by — are
   * judged on their own clocks, never released to the other inputs' (see `InputClocks.close`). Consignments
   * waiting on those inputs that an open input of their exemption also reports follow that input now; what
   * came due is judged. `announced`: the source said beforehand that its events end at `at`
   * (`aidwatch.input.bounded.v1`, see `InputClocks.bound`): closed alike, no watermark moved.
   */
  private closeInput(source: string, at: number, lane?: string, announced = false): FlagChanges {
    const changes = noChanges();
    if (!Number.isFinite(at)) return changes;
    const inputs = announced ? this.clocks.bound(source, at) : this.clocks.close(source, at, lane);
    const homes = new Set<InputClock>(inputs);
    this.deadlines.release(inputs, (c) => this.rehome(c, homes));
    for (const home of homes) merge(changes, this.judgeDue(home));
    return changes;
  }

  /**
   * An event the maritime detector folds came by `lane` with `pending` records after it on the partition
   * (see `InputClocks.noteLane`): consignments waiting on inputs released by it are judged. Undefined when
   * the lane's state did not change.
   */
  noteLane(lane: string, pending: number | undefined): FlagChanges | undefined {
    return this.clocks.noteLane(lane, pending) ? this.followFrontier() : undefined;
  }

  /**
   * Lane `lane` delivered every record its partition held (`aidwatch.partition.caught-up.v1`, see
   * `InputClocks.caughtUp`): consignments waiting on its inputs are judged on the clocks that moved.
   */
  caughtUp(lane: string, quietMs: number): FlagChanges {
    return this.clocks.caughtUp(lane, quietMs) ? this.followFrontier() : noChanges();
  }

  /** Moves every input's watermark to `watermark` (the end of a bounded input, or a test's "later"). */
  advanceWatermark(watermark: number): FlagChanges {
    const changes = noChanges();
    for (const input of this.clocks.values()) this.clocks.advance(input, watermark);
    merge(changes, this.followFrontier());
    return changes;
  }

  /**
   * A consignment's clock (ms): the watermark of the inputs that report the consignments of its exemption
   * (an aid programme's logistics, field and monitoring feeds: the monitors' feed, which would bring the
   * missing verification, counts for every consignment they watch), by `InputClocks`' rule; -Infinity before
   * any event. An unregistered consignment has no clock (-Infinity): which feeds it follows is known only
   * from the exemption its registration names, so its judgements about time are held until then, and are
   * then made on its exemption's clock as if the registration had come first.
   */
  clockOf(consignmentId: string): number {
    if (!this.state.isRegistered(consignmentId)) return Number.NEGATIVE_INFINITY;
    const inputs = this.inputsForClock(consignmentId);
    const now = inputs.length > 0 ? this.clocks.clockOf(inputs) : Number.NEGATIVE_INFINITY;
    // Never back: an idle input speaking again must not undo a judgement already made.
    const before = this.judgedAt.get(consignmentId) ?? Number.NEGATIVE_INFINITY;
    return now > before ? now : before;
  }

  private familyOf(consignmentId: string): string {
    const exemptionId = this.state.exemptionIdOf(consignmentId);
    return exemptionId === undefined ? `consignment:${consignmentId}` : `exemption:${exemptionId}`;
  }

  /**
   * The inputs a consignment's clock is the minimum of: those of its family (`inputsOfFamily`), and the
   * inputs heading the Kafka partitions still delivering records already pending (`InputClocks.deliveringHeads`:
   * a monitors' or field partition whose first records were fetched while a burst of another topic is
   * consumed may bring this consignment's verification or discharge, whichever programmes it reported so far).
   */
  private inputsForClock(consignmentId: string): InputClock[] {
    const inputs = this.inputsOfFamily(consignmentId);
    const heads = this.clocks.deliveringHeads();
    if (heads.length === 0) return inputs;
    const all = [...inputs];
    for (const head of heads) if (!all.includes(head)) all.push(head);
    return all;
  }

  private inputsOfFamily(consignmentId: string): InputClock[] {
    const family = this.familyOf(consignmentId);
    let inputs = this.familyInputs.get(family);
    if (!inputs) {
      const members = family.startsWith('exemption:')
        ? this.state.membersOf(family.slice('exemption:'.length))
        : [consignmentId];
      inputs = [];
      for (const c of members) for (const input of this.inputsOf.get(c) ?? []) addInput(inputs, input);
      this.familyInputs.set(family, inputs);
    }
    return inputs;
  }

  private reportedBy(consignmentId: string, input: InputClock): void {
    const inputs = this.inputsOf.get(consignmentId);
    if (inputs?.includes(input)) return;
    if (!inputs) this.inputsOf.set(consignmentId, [input]);
    else inputs.push(input);
    const family = this.familyInputs.get(this.familyOf(consignmentId));
    if (family) addInput(family, input);
  }

  /** Consignments loaded on the vessel (the load's vessel, else the registered one) and not yet discharged at `at`. */
  consignmentsOnBoard(mmsi: string, at: number): string[] {
    return this.state.onBoard(mmsi, at);
  }

  /** When the consignment came on board `mmsi` (ms, +Infinity when unknown; see `DiversionState.onBoardSince`). */
  onBoardSince(consignmentId: string, mmsi: string): number {
    return this.state.onBoardSince(consignmentId, mmsi);
  }

  /** Where the consignment stands with vessel `mmsi` now (see `DiversionState.standingOn`). */
  standingOn(consignmentId: string, mmsi: string): 'aboard' | 'bound' | 'done' {
    return this.state.standingOn(consignmentId, mmsi);
  }

  /** The vessels the consignment is registered or loaded on (MMSIs, sorted). */
  carriersOf(consignmentId: string): string[] {
    return this.state.carriersOf(consignmentId);
  }

  consignmentView(consignmentId: string): ConsignmentView | undefined {
    if (!this.state.has(consignmentId)) return undefined;
    const ctx = this.state.context(consignmentId, this.clockOf(consignmentId), this.config, {
      next: Number.POSITIVE_INFINITY,
    });
    return consignmentViewOf(ctx, this.openFlags(consignmentId));
  }

  openFlags(consignmentId?: string): Flag[] {
    if (consignmentId !== undefined) return this.open.get(consignmentId)?.values() ?? [];
    return [...this.open.keys()].sort().flatMap((c) => (this.open.get(c) as OpenFlags).values());
  }

  consignmentIds(): string[] {
    return this.state.consignmentIds();
  }

  /** How many consignments have events but no registration yet (held: see `clockOf`). */
  unregisteredConsignments(): number {
    return this.state.unregisteredCount();
  }

  /** How many consignments wait for a time-based judgement. */
  pendingDeadlines(): number {
    return this.due.size;
  }

  head(): DiversionHead {
    return {
      format: 'aidwatch.diversion.v2',
      inputs: this.clocks.toJSON(),
      closedSources: this.clocks.closedSourcesJSON(),
    };
  }

  /** The whole state (a full checkpoint: the changed keys start afresh). */
  snapshot(): DiversionSnapshot {
    this.changedKeys.clear();
    const entries: Record<string, unknown> = {};
    const json = this.state.toJSON();
    for (const e of json.exemptions) entries[`exemption:${e.exemptionId}`] = e;
    for (const p of json.ports) entries[`port:${p.port.locode}`] = p;
    for (const c of json.consignments) entries[`consignment:${c.consignmentId}`] = this.consignmentEntry(c);
    return { head: this.head(), entries };
  }

  /** Counts every subject as changed: the next `takeChangedKeys` lists them all (a checkpoint written whole). */
  markAllChanged(): void {
    for (const key of this.state.subjectKeys()) this.changedKeys.add(key);
  }

  /** Keys of the subjects whose state changed since the last call (or the last full snapshot). */
  takeChangedKeys(): string[] {
    return this.changedKeys.take();
  }

  /** One subject's state as in `snapshot().entries`; undefined when it is not kept. */
  entry(key: string): unknown {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const id = key.slice(colon + 1);
    if (kind === 'exemption') return this.state.exemptionJson(id);
    if (kind === 'port') return this.state.portJson(id);
    if (kind !== 'consignment') return undefined;
    const facts = this.state.consignmentJson(id);
    return facts ? this.consignmentEntry(facts) : undefined;
  }

  static restore(
    snapshot: unknown,
    config: DiversionConfig = defaultDiversionConfig,
    ports: readonly PortDeclaredData[] = [],
  ): DiversionDetector {
    const saved = snapshot as DiversionSnapshot;
    if (saved?.head?.format !== 'aidwatch.diversion.v2') throw new Error('not a diversion detector snapshot');
    const consignments: ConsignmentEntry[] = [];
    const exemptions: ExemptionFactsJson[] = [];
    const portFacts: PortFact[] = [];
    for (const key of Object.keys(saved.entries).sort()) {
      const value = saved.entries[key];
      if (key.startsWith('consignment:')) consignments.push(value as ConsignmentEntry);
      else if (key.startsWith('exemption:')) exemptions.push(value as ExemptionFactsJson);
      else if (key.startsWith('port:')) portFacts.push(value as PortFact);
    }
    const state = DiversionState.fromJSON({
      consignments: consignments.map((c) => c.facts),
      exemptions,
      ports: portFacts,
    });
    const clocks = InputClocks.fromJSON(
      saved.head.inputs,
      config.inputIdleDays * DAY_MS,
      'all',
      saved.head.closedSources,
      config.inputEndQuietMinutes * 60_000,
    );
    const detector = new DiversionDetector(config, ports, state, clocks);
    for (const c of consignments) {
      const id = c.facts.consignmentId;
      for (const input of c.inputs) detector.reportedBy(id, clocks.input(input));
      if (c.judgedAt !== null) detector.judgedAt.set(id, c.judgedAt);
      if (c.openFlags.length > 0 || c.clearedFlags?.length)
        detector.open.set(id, new OpenFlags(c.openFlags, c.clearedFlags ?? []));
      // An unregistered consignment waits for nothing (a snapshot of an earlier version may say otherwise).
      if (c.deadline !== null && state.isRegistered(id)) detector.schedule(id, c.deadline);
      if (typeof c.unsettledAt === 'string') detector.unsettled.set(id, c.unsettledAt);
    }
    detector.changedKeys.clear();
    return detector;
  }

  private consignmentEntry(facts: ConsignmentFactsJson): ConsignmentEntry {
    const id = facts.consignmentId;
    const openFlags = this.openFlags(id).sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    const inputs = (this.inputsOf.get(id) ?? []).map((i) => i.id).sort();
    const judgedAt = this.judgedAt.get(id) ?? null;
    const unsettledAt = this.unsettled.get(id);
    const clearedFlags = this.open.get(id)?.clearedCounts();
    return {
      facts,
      inputs,
      judgedAt,
      openFlags,
      ...(clearedFlags !== undefined && { clearedFlags }),
      deadline: this.due.get(id)?.at ?? null,
      ...(unsettledAt !== undefined && { unsettledAt }),
    };
  }

  /** The subject (`exemption:<id>`, `port:<locode>`, `consignment:<id>`) of a type this detector folds. */
  private noteChanged(event: AidEvent): void {
    const subject = diversionTypes.has(event.type) ? subjectOfEvent(event) : undefined;
    if (subject !== undefined) this.changedKeys.add(`${subject.kind}:${subject.id}`);
  }

  private judge(consignmentId: string, at: string): FlagChanges {
    this.changedKeys.add(`consignment:${consignmentId}`);
    const deadlines = { next: Number.POSITIVE_INFINITY };
    const clock = this.clockOf(consignmentId);
    if (Number.isFinite(clock)) this.judgedAt.set(consignmentId, clock);
    const ctx = this.state.context(consignmentId, clock, this.config, deadlines);
    // Held (unregistered): nothing to wait for; its registration judges it again.
    const registered = this.state.isRegistered(consignmentId);
    const keep = new Set<string>();
    const drafts = registered
      ? this.untilClockPasses(evaluateDiversionRules(ctx), clock, deadlines, keep)
      : evaluateDiversionRules(ctx);
    this.schedule(consignmentId, registered ? deadlines.next : Number.POSITIVE_INFINITY);
    // Same problems on the same evidence as last time: reconciling would change nothing, so skip its hashing.
    const signature =
      drafts.map((d) => `${d.rule}|${d.key}|${d.evidence.join(',')}`).join('\n') +
      `|keep:${[...keep].join(',')}`;
    if (this.signatures.get(consignmentId) === signature) return noChanges();
    this.signatures.set(consignmentId, signature);
    let open = this.open.get(consignmentId);
    if (!open) {
      if (drafts.length === 0) return noChanges();
      this.open.set(consignmentId, (open = new OpenFlags()));
    }
    return open.reconcile(drafts, at, undefined, keep);
  }

  /**
   * Inconsistent paperwork waits for the inputs that can still deliver the missing fact: a finding of a rule
   * in `judgedOncePassed` whose newest evidence is later than the consignment's clock (another feed of its
   * exemption has not reached that time yet: a discharge on a topic consumed behind, a field feed hours late)
   * is held and judged again when the clock reaches it. An open flag of the same problem stays as it is
   * meanwhile (its fingerprint goes to `keep`), so a late fact on its way never makes it flap.
   */
  private untilClockPasses(
    drafts: FlagDraft[],
    clock: number,
    deadlines: { next: number },
    keep: Set<string>,
  ): FlagDraft[] {
    return drafts.filter((d) => {
      if (!judgedOncePassed.has(d.rule)) return true;
      const at = Date.parse(d.raisedAt);
      if (!(at > clock)) return true;
      if (at < deadlines.next) deadlines.next = at;
      keep.add(fingerprintOf(d.rule, d.subject, d.key));
      return false;
    });
  }

  /** Waits for `at` in the queue of the input holding the consignment's clock back (Infinity: no wait). */
  private schedule(consignmentId: string, at: number): void {
    const previous = this.due.get(consignmentId);
    if (previous) this.deadlines.get(previous.home)?.schedule(consignmentId, Number.POSITIVE_INFINITY);
    const home = this.clocks.holding(this.inputsForClock(consignmentId));
    if (!Number.isFinite(at) || !home) {
      this.due.delete(consignmentId);
      return;
    }
    this.due.set(consignmentId, { at, home });
    this.deadlines.of(home).schedule(consignmentId, at);
  }

  /** The consignment's home input fell idle or closed: it waits again where it is held back now (`homes`). */
  private rehome(consignmentId: string, homes: Set<InputClock>): void {
    const waiting = this.due.get(consignmentId);
    if (!waiting) return;
    this.schedule(consignmentId, waiting.at);
    const home = this.due.get(consignmentId)?.home;
    if (home) homes.add(home);
  }

  /**
   * The frontier moved: consignments waiting on inputs that just became idle follow their other inputs, and
   * idle inputs' clocks moved with the frontier.
   */
  private followFrontier(except?: InputClock): FlagChanges {
    const changes = noChanges();
    const homes = new Set<InputClock>();
    this.deadlines.release([...this.clocks.newlyIdle(), ...this.clocks.takeStoppedHeads()], (c) =>
      this.rehome(c, homes),
    );
    // In input order, not the queues' creation order: a restored detector creates them in another order, and
    // consignments coming due together must be judged alike (the same raises in the same order).
    for (const other of this.deadlines.inputsById())
      if (other !== except || homes.has(other)) merge(changes, this.judgeDue(other));
    return changes;
  }

  /** Judges the consignments waiting on `input` whose clock reached their time. */
  private judgeDue(input: InputClock): FlagChanges {
    const ready = this.deadlines.takeDue(input);
    if (ready.length === 0) return noChanges();
    const changes = noChanges();
    for (const c of ready) {
      const waiting = this.due.get(c);
      if (!waiting) continue;
      const clock = this.clockOf(c);
      if (waiting.at <= clock) merge(changes, this.judge(c, toIso(clock)));
      else this.schedule(c, waiting.at);
    }
    return changes;
  }

  /**
   * Consignments of an exemption whose over-authorisation verdict differs from their open flags after the
   * exemption's cumulative quantities moved by `moves` (or, when more than `4 × FANOUT_PER_EVENT` lines lie
   * near the limit, all of those: judging them finds out). A verdict flips only where a line's cumulative
   * quantity crossed the item's limit, so only lines now within the amount moved of the limit are looked at
   * (`ExemptionLedger.cumulativeWithin`), wherever in the ledger the change was: O(√n + flips).
   */
  private overDrawsMoved(exemptionId: string, moves: LedgerMove[]): string[] {
    const exemption = this.state.exemption(exemptionId);
    if (!exemption) return [];
    const ledger = this.state.ledger(exemptionId);
    const candidates = new Set<string>();
    for (const { itemCode, moved } of moves) {
      const item = exemption.items.get(itemCode);
      if (!item) continue;
      // The rule's own line (`overDrawsOf`), widened by a margin for the rounding of running sums.
      const limit = item.quantity * (1 + this.config.overAuthorisationTolerancePct / 100);
      const line = limit + 1e-9 * limit;
      const margin = 1e-6 * Math.max(1, line, moved);
      for (const c of ledger.cumulativeWithin(itemCode, line - moved - margin, line + moved + margin))
        candidates.add(c);
    }
    // Many lines near the limit (a large quantity moved): every one is judged, a slice at a time (`settle`),
    // rather than each compared with its flags here, in this event's time.
    if (candidates.size > FANOUT_PER_EVENT * 4) return [...candidates];
    const moved: string[] = [];
    for (const c of candidates) {
      const now = overDrawsOf(ledger, exemption, c, this.config).map((d) => d.itemCode);
      const flagged = (this.open.get(c)?.values() ?? [])
        .filter((f) => f.rule === 'over-authorisation')
        .map((f) => String(f.observed.itemCode))
        .sort();
      if (now.join('|') !== flagged.join('|')) moved.push(c);
    }
    return moved;
  }
}

/**
 * Adds `input` to a family's inputs unless there: kept in input id order, so a family's list depends only on
 * which inputs report its consignments, not on the order they came in (nor on a restore).
 */
function addInput(inputs: InputClock[], input: InputClock): void {
  let at = inputs.length;
  while (at > 0 && inputs[at - 1].id > input.id) at--;
  if (at > 0 && inputs[at - 1] === input) return;
  inputs.splice(at, 0, input);
}

function merge(into: FlagChanges, from: FlagChanges): void {
  into.raised.push(...from.raised);
  into.cleared.push(...from.cleared);
}
