import {
  EventTypes,
  subjectOfEvent,
  typesConsumedBy,
  type AidEvent,
  type CarriageStanding,
  type Flag,
  type PortDeclaredData,
} from '@aidwatch/domain';
import type { Detector } from '../detector';
import { mergeChanges, noChanges, OpenFlags, type FlagChanges } from '../open-flags';
import { InputClocks, type InputClock } from '../input-clocks';
import { CheckpointSubjects } from '../checkpoint-subjects';
import { DAY_MS, defaultDiversionConfig, latenessMs, type DiversionConfig } from './diversion-config';
import { toIso } from './diversion-context';
import { evaluateDiversionRules } from './diversion-rules';
import { DiversionState } from './diversion-state';
import type { LedgerMove } from './exemption-ledger';
import { consignmentIdOf, factTimeOf, type ConsignmentFactsJson } from './consignment-facts';
import { consignmentViewOf, type ConsignmentView } from './consignment-view';
import { overDrawsMoved } from './over-draws-moved';
import { ConsignmentDeadlines } from './consignment-deadlines';
import { ConsignmentInputs } from './consignment-inputs';
import { untilClockPasses } from './held-findings';
import { UnsettledConsignments } from './unsettled-consignments';
import {
  consignmentEntryOf,
  readDiversionSnapshot,
  type ConsignmentEntry,
  type DiversionHead,
  type DiversionSnapshot,
} from './diversion-snapshot';

export type { ConsignmentEntry, DiversionHead, DiversionSnapshot } from './diversion-snapshot';

/** What this detector folds (the catalogue's routing); `noteChanged` keys its subjects. */
const diversionTypes = typesConsumedBy('diversion');

/**
 * Consignments one event judges beyond those it concerns (others of the programme whose cumulative
 * quantities it moved across a limit); more wait for `settle`. About 2 ms of judging at ~30 µs each.
 */
export const FANOUT_PER_EVENT = 64;

/**
 * Diversion detection per consignment. Each event is folded into the facts, then the consignments it can
 * affect (itself, others of its exemption whose cumulative quantities moved, others citing the same
 * documents) are judged again by every rule and reconciled with their open flags. Judgements that depend on
 * time register the moment they may change in a deadline queue that the watermark drains.
 */
export class DiversionDetector implements Detector {
  private readonly open = new Map<string, OpenFlags>();
  /** When each consignment must be judged again, in the queue of the input holding its clock back. */
  private readonly deadlines: ConsignmentDeadlines;
  /** The inputs each consignment's clock follows (see `clockOf`). */
  private readonly inputs: ConsignmentInputs;
  /** The clock each consignment was last judged at: its clock never moves back. */
  private readonly judgedAt = new Map<string, number>();
  /** What each consignment's last evaluation found (rule, key, evidence), to skip reconciling when unchanged. */
  private readonly signatures = new Map<string, string>();
  /** What checkpoints write one by one: exemptions, ports, consignments. */
  private readonly subjects: CheckpointSubjects;
  /** Consignments judged a slice per event (`FANOUT_PER_EVENT`) and by `settle` (see `handle`). */
  private readonly unsettled = new UnsettledConsignments();
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
    this.inputs = new ConsignmentInputs(state, this.clocks);
    this.deadlines = new ConsignmentDeadlines(this.clocks, this.inputs);
    this.subjects = new CheckpointSubjects([
      { kind: 'exemption', ids: () => state.subjectIds('exemption'), entry: (id) => state.exemptionJson(id) },
      { kind: 'port', ids: () => state.subjectIds('port'), entry: (locode) => state.portJson(locode) },
      {
        kind: 'consignment',
        ids: () => state.subjectIds('consignment'),
        entry: (id) => {
          const facts = state.consignmentJson(id);
          return facts ? this.consignmentEntry(facts) : undefined;
        },
      },
    ]);
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
    const input = this.clocks.inputOf(event.source, lane);
    // The fact first, then the clocks: nothing is judged without the event that may settle it.
    const idleMoved = Number.isFinite(time)
      ? this.clocks.observe(input, time, latenessMs(this.config), pending)
      : false;
    const consignmentId = consignmentIdOf(event);
    const familyBefore = consignmentId === undefined ? undefined : this.inputs.familyOf(consignmentId);
    const impact = this.state.apply(event);
    if (consignmentId !== undefined) this.inputs.folded(consignmentId, familyBefore as string, input);
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
      if (this.unsettled.size <= FANOUT_PER_EVENT) for (const c of this.unsettled.takeIds()) ids.add(c);
      for (const c of [...ids].sort()) {
        this.unsettled.delete(c);
        mergeChanges(changes, this.judge(c, at));
      }
    }
    if (this.unsettled.size > 0) mergeChanges(changes, this.settle(FANOUT_PER_EVENT));
    mergeChanges(changes, this.judgeDue(input));
    if (idleMoved) mergeChanges(changes, this.followFrontier(input));
    return changes;
  }

  /**
   * Judges up to `limit` consignments whose over-authorisation verdict another consignment's change moved
   * (see `handle`), oldest first, each as of the event that moved it. The detection projection calls it
   * between events until none is left (`unsettledCount`).
   */
  settle(limit = Number.POSITIVE_INFINITY): FlagChanges {
    const changes = noChanges();
    for (const [c, at] of this.unsettled.takeOldest(limit)) mergeChanges(changes, this.judge(c, at));
    return changes;
  }

  /** How many consignments wait for `settle`. */
  unsettledCount(): number {
    return this.unsettled.size;
  }

  private unsettle(consignmentId: string, at: string): void {
    if (this.unsettled.note(consignmentId, at)) this.subjects.note('consignment', consignmentId);
  }

  /** The source `source` ended at `at` (ms): see `ConsignmentDeadlines.closeSource`; what came due is judged. */
  private closeInput(source: string, at: number, lane?: string, announced = false): FlagChanges {
    const changes = noChanges();
    for (const home of this.deadlines.closeSource(source, at, lane, announced))
      mergeChanges(changes, this.judgeDue(home));
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
    mergeChanges(changes, this.followFrontier());
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
    const inputs = this.inputs.forClock(consignmentId);
    const now = inputs.length > 0 ? this.clocks.clockOf(inputs) : Number.NEGATIVE_INFINITY;
    // Never back: an idle input speaking again must not undo a judgement already made.
    const before = this.judgedAt.get(consignmentId) ?? Number.NEGATIVE_INFINITY;
    return now > before ? now : before;
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
  standingOn(consignmentId: string, mmsi: string): CarriageStanding {
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
    return this.deadlines.size;
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
    this.subjects.clearChanged();
    return { head: this.head(), entries: this.subjects.entries() };
  }

  /** Counts every subject as changed: the next `takeChangedKeys` lists them all (a checkpoint written whole). */
  markAllChanged(): void {
    this.subjects.markAllChanged();
  }

  /** Keys of the subjects whose state changed since the last call (or the last full snapshot). */
  takeChangedKeys(): string[] {
    return this.subjects.takeChangedKeys();
  }

  /** One subject's state as in `snapshot().entries`; undefined when it is not kept. */
  entry(key: string): unknown {
    return this.subjects.entry(key);
  }

  static restore(
    snapshot: unknown,
    config: DiversionConfig = defaultDiversionConfig,
    ports: readonly PortDeclaredData[] = [],
  ): DiversionDetector {
    const { saved, consignments, state } = readDiversionSnapshot(snapshot);
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
      for (const input of c.inputs) detector.inputs.reportedBy(id, clocks.input(input));
      if (c.judgedAt !== null) detector.judgedAt.set(id, c.judgedAt);
      if (c.openFlags.length > 0 || c.clearedFlags?.length)
        detector.open.set(id, new OpenFlags(c.openFlags, c.clearedFlags ?? []));
      // An unregistered consignment waits for nothing (a snapshot of an earlier version may say otherwise).
      if (c.deadline !== null && state.isRegistered(id)) detector.deadlines.schedule(id, c.deadline);
      if (typeof c.unsettledAt === 'string') detector.unsettled.set(id, c.unsettledAt);
    }
    detector.subjects.clearChanged();
    return detector;
  }

  private consignmentEntry(facts: ConsignmentFactsJson): ConsignmentEntry {
    const id = facts.consignmentId;
    return consignmentEntryOf(facts, {
      openFlags: this.openFlags(id),
      inputs: this.inputs.idsOf(id),
      judgedAt: this.judgedAt.get(id) ?? null,
      clearedFlags: this.open.get(id)?.clearedCounts(),
      deadline: this.deadlines.dueAt(id) ?? null,
      unsettledAt: this.unsettled.get(id),
    });
  }

  /** The subject (`exemption:<id>`, `port:<locode>`, `consignment:<id>`) of a type this detector folds. */
  private noteChanged(event: AidEvent): void {
    const subject = diversionTypes.has(event.type) ? subjectOfEvent(event) : undefined;
    if (subject !== undefined) this.subjects.note(subject.kind, subject.id);
  }

  /** See `overDrawsMoved`: compared with the open over-authorisation flags of each consignment. */
  private overDrawsMoved(exemptionId: string, moves: LedgerMove[]): string[] {
    const flaggedItems = (c: string) =>
      (this.open.get(c)?.values() ?? [])
        .filter((f) => f.rule === 'over-authorisation')
        .map((f) => String(f.observed.itemCode))
        .sort();
    return overDrawsMoved(this.state, this.config, exemptionId, moves, flaggedItems, FANOUT_PER_EVENT * 4);
  }

  private judge(consignmentId: string, at: string): FlagChanges {
    this.subjects.note('consignment', consignmentId);
    const deadlines = { next: Number.POSITIVE_INFINITY };
    const clock = this.clockOf(consignmentId);
    if (Number.isFinite(clock)) this.judgedAt.set(consignmentId, clock);
    const ctx = this.state.context(consignmentId, clock, this.config, deadlines);
    // Held (unregistered): nothing to wait for; its registration judges it again.
    const registered = this.state.isRegistered(consignmentId);
    const keep = new Set<string>();
    const drafts = registered
      ? untilClockPasses(evaluateDiversionRules(ctx), clock, deadlines, keep)
      : evaluateDiversionRules(ctx);
    this.deadlines.schedule(consignmentId, registered ? deadlines.next : Number.POSITIVE_INFINITY);
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
   * The frontier moved: consignments waiting on inputs that just became idle follow their other inputs, and
   * idle inputs' clocks moved with the frontier.
   */
  private followFrontier(except?: InputClock): FlagChanges {
    const changes = noChanges();
    const homes = new Set<InputClock>();
    this.deadlines.release([...this.clocks.newlyIdle(), ...this.clocks.takeStoppedHeads()], homes);
    // In input order, not the queues' creation order: a restored detector creates them in another order, and
    // consignments coming due together must be judged alike (the same raises in the same order).
    for (const other of this.deadlines.inputsById())
      if (other !== except || homes.has(other)) mergeChanges(changes, this.judgeDue(other));
    return changes;
  }

  /** Judges the consignments waiting on `input` whose clock reached their time. */
  private judgeDue(input: InputClock): FlagChanges {
    const ready = this.deadlines.takeDue(input);
    if (ready.length === 0) return noChanges();
    const changes = noChanges();
    for (const { consignmentId: c, at } of ready) {
      const clock = this.clockOf(c);
      if (at <= clock) mergeChanges(changes, this.judge(c, toIso(clock)));
      else this.deadlines.schedule(c, at);
    }
    return changes;
  }
}
