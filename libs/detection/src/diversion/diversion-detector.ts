import { EventTypes, type AidEvent, type Flag, type PortDeclaredData } from '@aidwatch/domain';
import type { Detector } from '../detector';
import { noChanges, OpenFlags, type FlagChanges } from '../open-flags';
import { defaultDiversionConfig, type DiversionConfig } from './diversion-config';
import { toIso } from './diversion-context';
import { evaluateDiversionRules } from './diversion-rules';
import { DiversionState } from './diversion-state';
import { consignmentIdOf, factTimeOf, type ConsignmentFactsJson } from './consignment-facts';
import type { ExemptionFactsJson, PortFact } from './exemption-facts';
import { consignmentViewOf, type ConsignmentView } from './consignment-view';
import { DeadlineQueue } from './deadline-queue';
import { overDrawsOf } from './over-authorisation.rule';

/** What is not kept per subject. */
export interface DiversionHead {
  format: 'aidwatch.diversion.v2';
  watermark: number | null;
}

/** One consignment: its facts, its open flags and when it must be judged again (null: never). */
export interface ConsignmentEntry {
  facts: ConsignmentFactsJson;
  openFlags: Flag[];
  deadline: number | null;
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
  private readonly deadlines = new DeadlineQueue();
  /** What each consignment's last evaluation found (rule, key, evidence), to skip reconciling when unchanged. */
  private readonly signatures = new Map<string, string>();
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly changedKeys = new Set<string>();

  constructor(
    private readonly config: DiversionConfig = defaultDiversionConfig,
    ports: readonly PortDeclaredData[] = [],
    private readonly state: DiversionState = new DiversionState(),
  ) {
    for (const port of ports)
      state.declarePort(port, { eventId: `port:${port.locode}`, time: 0, recordedAt: 0 });
  }

  handle(event: AidEvent, watermark: number): FlagChanges {
    if (watermark > this.watermark) this.watermark = watermark;
    const impact = this.state.apply(event);
    this.noteChanged(event);
    if (!impact) return this.judgeDue();
    const ids = new Set(impact.consignments);
    for (const [exemptionId, from] of impact.ledgers)
      for (const c of this.overDrawsMoved(exemptionId, from)) ids.add(c);
    const changes = noChanges();
    const at = toIso(factTimeOf(event));
    for (const c of [...ids].sort()) merge(changes, this.judge(c, at));
    merge(changes, this.judgeDue());
    return changes;
  }

  advanceWatermark(watermark: number): FlagChanges {
    if (watermark <= this.watermark) return noChanges();
    this.watermark = watermark;
    return this.judgeDue();
  }

  /** Consignments loaded on the vessel (the load's vessel, else the registered one) and not yet discharged at `at`. */
  consignmentsOnBoard(mmsi: string, at: number): string[] {
    return this.state.onBoard(mmsi, at);
  }

  consignmentView(consignmentId: string): ConsignmentView | undefined {
    if (!this.state.has(consignmentId)) return undefined;
    const ctx = this.state.context(consignmentId, this.watermark, this.config, {
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

  /** How many consignments wait for a time-based judgement. */
  pendingDeadlines(): number {
    return this.deadlines.size;
  }

  head(): DiversionHead {
    return {
      format: 'aidwatch.diversion.v2',
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
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

  /** Keys of the subjects whose state changed since the last call (or the last full snapshot). */
  takeChangedKeys(): string[] {
    const keys = [...this.changedKeys].sort();
    this.changedKeys.clear();
    return keys;
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
    const detector = new DiversionDetector(config, ports, state);
    if (saved.head.watermark !== null) detector.watermark = saved.head.watermark;
    for (const c of consignments) {
      const id = c.facts.consignmentId;
      if (c.openFlags.length > 0) detector.open.set(id, new OpenFlags(c.openFlags));
      if (c.deadline !== null) detector.deadlines.schedule(id, c.deadline);
    }
    detector.changedKeys.clear();
    return detector;
  }

  private consignmentEntry(facts: ConsignmentFactsJson): ConsignmentEntry {
    const id = facts.consignmentId;
    const openFlags = this.openFlags(id).sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    return { facts, openFlags, deadline: this.deadlines.dueAt(id) ?? null };
  }

  private noteChanged(event: AidEvent): void {
    switch (event.type) {
      case EventTypes.ExemptionGranted:
      case EventTypes.ExemptionRevoked:
        this.changedKeys.add(`exemption:${event.data.exemptionId}`);
        return;
      case EventTypes.PortDeclared:
        this.changedKeys.add(`port:${event.data.locode}`);
        return;
      default: {
        const id = consignmentIdOf(event);
        if (id !== undefined) this.changedKeys.add(`consignment:${id}`);
      }
    }
  }

  private judge(consignmentId: string, at: string): FlagChanges {
    this.changedKeys.add(`consignment:${consignmentId}`);
    const deadlines = { next: Number.POSITIVE_INFINITY };
    const ctx = this.state.context(consignmentId, this.watermark, this.config, deadlines);
    const drafts = evaluateDiversionRules(ctx);
    this.deadlines.schedule(consignmentId, deadlines.next);
    // Same problems on the same evidence as last time: reconciling would change nothing, so skip its hashing.
    const signature = drafts.map((d) => `${d.rule}|${d.key}|${d.evidence.join(',')}`).join('\n');
    if (this.signatures.get(consignmentId) === signature) return noChanges();
    this.signatures.set(consignmentId, signature);
    let open = this.open.get(consignmentId);
    if (!open) {
      if (drafts.length === 0) return noChanges();
      this.open.set(consignmentId, (open = new OpenFlags()));
    }
    return open.reconcile(drafts, at);
  }

  private judgeDue(): FlagChanges {
    if (!this.deadlines.isDue(this.watermark)) return noChanges();
    const changes = noChanges();
    const at = toIso(this.watermark);
    for (const c of this.deadlines.takeDue(this.watermark)) merge(changes, this.judge(c, at));
    return changes;
  }

  /**
   * Consignments of an exemption, from a ledger position on, whose over-authorisation verdict differs from
   * their open flags after the exemption's cumulative quantities moved. Lines before the position are
   * unaffected; a consignment registered last makes this O(1).
   */
  private overDrawsMoved(exemptionId: string, from: number): string[] {
    const exemption = this.state.exemption(exemptionId);
    if (!exemption) return [];
    const ledger = this.state.ledger(exemptionId);
    const rows = ledger.rows;
    const moved: string[] = [];
    for (let i = from; i < rows.length; i++) {
      const c = rows[i].consignmentId;
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

function merge(into: FlagChanges, from: FlagChanges): void {
  into.raised.push(...from.raised);
  into.cleared.push(...from.cleared);
}
