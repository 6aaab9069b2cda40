import type { AidEvent, Flag, PortDeclaredData } from '@aidwatch/domain';
import type { Detector } from '../detector';
import { noChanges, OpenFlags, type FlagChanges } from '../open-flags';
import { defaultDiversionConfig, type DiversionConfig } from './diversion-config';
import { toIso } from './diversion-context';
import { evaluateDiversionRules } from './diversion-rules';
import { DiversionState, type DiversionStateJson } from './diversion-state';
import { factTimeOf } from './consignment-facts';
import { consignmentViewOf, type ConsignmentView } from './consignment-view';
import { DeadlineQueue } from './deadline-queue';
import { overDrawsOf } from './over-authorisation.rule';

export interface DiversionSnapshot {
  format: 'aidwatch.diversion.v1';
  watermark: number | null;
  state: DiversionStateJson;
  openFlags: Flag[];
  deadlines: Array<[string, number]>;
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

  snapshot(): DiversionSnapshot {
    const openFlags = this.openFlags().sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    return {
      format: 'aidwatch.diversion.v1',
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      state: this.state.toJSON(),
      openFlags,
      deadlines: this.deadlines.entries(),
    };
  }

  static restore(
    snapshot: unknown,
    config: DiversionConfig = defaultDiversionConfig,
    ports: readonly PortDeclaredData[] = [],
  ): DiversionDetector {
    const saved = snapshot as DiversionSnapshot;
    if (saved?.format !== 'aidwatch.diversion.v1') throw new Error('not a diversion detector snapshot');
    const detector = new DiversionDetector(config, ports, DiversionState.fromJSON(saved.state));
    if (saved.watermark !== null) detector.watermark = saved.watermark;
    const byConsignment = new Map<string, Flag[]>();
    for (const flag of saved.openFlags)
      byConsignment.set(flag.subject.id, [...(byConsignment.get(flag.subject.id) ?? []), flag]);
    for (const [c, flags] of byConsignment) detector.open.set(c, new OpenFlags(flags));
    for (const [c, at] of saved.deadlines) detector.deadlines.schedule(c, at);
    return detector;
  }

  private judge(consignmentId: string, at: string): FlagChanges {
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
