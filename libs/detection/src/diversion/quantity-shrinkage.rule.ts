import type { ItemQuantity, Severity } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { DAY_MS, latenessMs, type DiversionConfig } from './diversion-config';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatPct, formatQuantity, listOf, portLabel, siteLabel } from './diversion-format';
import { totals, type Fact, type VerificationFact } from './consignment-facts';

type StepFact = Fact & { items: readonly ItemQuantity[] };

/** One step of the chain of hands: what it holds per item and how to say so. */
interface Step {
  name: string;
  key: string;
  facts: readonly StepFact[];
  quantities: Map<string, number>;
  last: number;
  /** Items a handover or a monitor's report leaves out were not part of it, rather than lost. */
  partial: boolean;
  /** Judged once the watermark is this long past the later of the two steps' last events. */
  settleMs: number;
  /** `Delivered 8,400 kg of RUTF to X`; texts are built only when a flag needs them. */
  did(quantity: string, item: string): string;
  /** `discharged at Nampo` (after "were") */
  done(): string;
}

function step(
  name: string,
  key: string,
  facts: readonly StepFact[],
  settleMs: number,
  texts: Pick<Step, 'did' | 'done'>,
): Step {
  let last = Number.NEGATIVE_INFINITY;
  for (const f of facts) if (f.time > last) last = f.time;
  const partial = name === 'custody' || name === 'verified';
  return {
    name,
    key,
    facts,
    quantities: totals(facts),
    last,
    partial,
    settleMs,
    did: texts.did,
    done: texts.done,
  };
}

function chainOf(ctx: DiversionContext): Step[] {
  const lateness = latenessMs(ctx.config);
  const ports = (list: ReadonlyArray<{ port: string }>) => listOf(list.map((f) => portLabel(ctx, f.port)));
  const chain: Step[] = [];
  const loads = ctx.list('loads');
  if (loads.length > 0) {
    chain.push(
      step('loaded', 'loaded', loads, lateness, {
        did: (q, item) => `Loaded ${q} of ${item} at ${ports(loads)}`,
        done: () => `loaded at ${ports(loads)}`,
      }),
    );
  }
  const discharges = ctx.list('discharges');
  if (discharges.length > 0) {
    chain.push(
      step('discharged', 'discharged', discharges, lateness, {
        did: (q, item) => `Discharged ${q} of ${item} at ${ports(discharges)}`,
        done: () => `discharged at ${ports(discharges)}`,
      }),
    );
  }
  for (const t of ctx.list('custody')) {
    chain.push(
      step('custody', `custody:${t.eventId}`, [t], lateness, {
        did: (q, item) => `Handed over ${q} of ${item} from ${t.from} to ${t.to}`,
        done: () => `handed over from ${t.from} to ${t.to}`,
      }),
    );
  }
  const deliveries = ctx.list('deliveries');
  if (deliveries.length > 0) {
    const sites = () => listOf(deliveries.map((d) => siteLabel(ctx, d.siteId)));
    chain.push(
      step('delivered', 'delivered', deliveries, ctx.config.distributionWindowDays * DAY_MS, {
        did: (q, item) => `Delivered ${q} of ${item} to ${sites()}`,
        done: () => `delivered to ${sites()}`,
      }),
    );
  }
  return chain;
}

/** The latest verification at each site, compared with what had been delivered there by the visit. */
function verifiedSteps(ctx: DiversionContext): Array<[Step, Step]> {
  const latest = new Map<string, VerificationFact>();
  for (const v of ctx.list('verifications')) latest.set(v.siteId, v);
  const deliveries = ctx.list('deliveries');
  const pairs: Array<[Step, Step]> = [];
  for (const [siteId, v] of [...latest].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const delivered = deliveries.filter((d) => d.siteId === siteId && d.time <= v.time);
    if (delivered.length === 0) continue;
    const site = () => siteLabel(ctx, siteId);
    pairs.push([
      step('delivered', `delivered:${siteId}`, delivered, 0, {
        did: (q, item) => `Delivered ${q} of ${item} to ${site()}`,
        done: () => `delivered to ${site()} by then`,
      }),
      step(
        'verified',
        `verified:${siteId}`,
        [{ eventId: v.eventId, time: v.time, recordedAt: v.recordedAt, items: v.observed }],
        latenessMs(ctx.config),
        {
          did: (q, item) => `A monitor accounted for ${q} of ${item} at ${site()}`,
          done: () => 'verified',
        },
      ),
    ]);
  }
  return pairs;
}

export function shrinkageSeverity(lostPct: number, config: DiversionConfig): Severity {
  if (lostPct > config.shrinkageCriticalPct) return 'critical';
  if (lostPct > config.shrinkageHighPct) return 'high';
  return 'medium';
}

function compare(ctx: DiversionContext, item: string, before: Step, after: Step): FlagDraft | undefined {
  const { config } = ctx;
  const had = before.quantities.get(item) ?? 0;
  const has = after.quantities.get(item) ?? 0;
  if (had <= 0) return undefined;
  const lost = had - has;
  const allowed = Math.max((had * config.shrinkageTolerancePct) / 100, config.shrinkageToleranceAbs);
  // The epsilon keeps a loss of exactly the tolerance (computed in floating point) within it.
  if (lost <= allowed + 1e-9 * had) return undefined;
  if (!ctx.reached(Math.max(before.last, after.last) + after.settleMs)) return undefined;
  const lostPct = (lost / had) * 100;
  const listing = (s: Step) => {
    const withItem = s.facts.filter((f) => f.items.some((i) => i.itemCode === item));
    return withItem.length > 0 ? withItem : s.facts;
  };
  const absolute =
    config.shrinkageToleranceAbs > (had * config.shrinkageTolerancePct) / 100
      ? ` (at least ${formatQuantity(ctx, item, config.shrinkageToleranceAbs)})`
      : '';
  return consignmentFlag(ctx, {
    rule: 'quantity-shrinkage',
    key: `${item}|${after.key}`,
    severity: shrinkageSeverity(lostPct, config),
    observed: {
      itemCode: item,
      step: after.name,
      previousStep: before.name,
      previousQuantity: had,
      quantity: has,
      lost,
      lostPct,
    },
    threshold: { tolerancePct: config.shrinkageTolerancePct, toleranceAbs: config.shrinkageToleranceAbs },
    evidence: [...listing(before), ...listing(after)],
    explanation:
      `${after.did(formatQuantity(ctx, item, has), item)} but ${formatQuantity(ctx, item, had)} were ${before.done()}: ` +
      `${formatPct(lostPct)} lost (${formatQuantity(ctx, item, lost)}), tolerance ${formatPct(config.shrinkageTolerancePct)}${absolute}.`,
  });
}

/**
 * Compares each item's quantity at every step with the step before it that holds the item: loaded →
 * discharged → each custody handover → sum of deliveries, and each site's latest verification with the
 * deliveries to that site up to the visit. A step missing altogether is skipped, not counted as a loss.
 */
export function quantityShrinkage(ctx: DiversionContext): FlagDraft[] {
  const drafts: FlagDraft[] = [];
  const chain = chainOf(ctx);
  const items = new Set<string>();
  for (const s of chain) for (const code of s.quantities.keys()) items.add(code);
  for (const item of [...items].sort()) {
    let previous: Step | undefined;
    for (const s of chain) {
      if (s.partial && !s.quantities.has(item)) continue;
      const flag = previous && compare(ctx, item, previous, s);
      if (flag) drafts.push(flag);
      previous = s;
    }
  }
  for (const [delivered, verified] of verifiedSteps(ctx)) {
    for (const item of [...verified.quantities.keys()].sort()) {
      const flag = compare(ctx, item, delivered, verified);
      if (flag) drafts.push(flag);
    }
  }
  return drafts;
}
