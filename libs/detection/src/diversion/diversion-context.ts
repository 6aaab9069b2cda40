import type { RuleId, Severity } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import type { DiversionConfig } from './diversion-config';
import {
  sorted,
  type ConsignmentFacts,
  type Fact,
  type FactCollection,
  type RegistrationFact,
} from './consignment-facts';
import { documentKeysOf, type DocumentUse } from './document-uses';
import type { Exemption } from './exemption-facts';
import type { ExemptionLedger } from './exemption-ledger';

/** What a diversion rule sees when it judges one consignment. */
export interface DiversionContext {
  readonly consignmentId: string;
  readonly facts: ConsignmentFacts;
  readonly registration?: RegistrationFact;
  /** Undefined while the consignment's exemption is unknown: rules that need it hold their judgement. */
  readonly exemption?: Exemption;
  readonly config: DiversionConfig;
  readonly watermark: number;
  /** Whether the watermark has reached `time`; if not, `time` is remembered as a moment to judge again. */
  reached(time: number): boolean;
  /** A collection's facts by event time (then id), sorted once per evaluation. Do not modify. */
  list<K extends FactCollection>(name: K): ReadonlyArray<FactOf<K>>;
  /** Keys of the documents this consignment cites (see document-uses), sorted. */
  documentKeys(): readonly string[];
  documentUses(key: string): readonly DocumentUse[];
  ledger(): ExemptionLedger | undefined;
  portName(locode: string): string | undefined;
}

export type DiversionRule = (ctx: DiversionContext) => FlagDraft[];

export type FactOf<K extends FactCollection> = ConsignmentFacts[K] extends Map<string, infer F> ? F : never;

export const toIso = (ms: number): string => new Date(ms).toISOString();

export interface ConsignmentFlagSpec {
  rule: RuleId;
  key: string;
  severity: Severity;
  observed: Record<string, unknown>;
  threshold: Record<string, unknown>;
  evidence: readonly Fact[];
  explanation: string;
  consignmentIds?: readonly string[];
}

/** A draft about the context's consignment; `raisedAt` is the event time of its newest evidence. */
export function consignmentFlag(ctx: DiversionContext, spec: ConsignmentFlagSpec): FlagDraft {
  const ids = [...new Set(spec.evidence.map((e) => e.eventId))];
  const newest = spec.evidence.reduce((max, e) => Math.max(max, e.time), Number.NEGATIVE_INFINITY);
  return {
    rule: spec.rule,
    key: spec.key,
    severity: spec.severity,
    subject: { kind: 'consignment', id: ctx.consignmentId },
    consignmentIds: [...new Set([ctx.consignmentId, ...(spec.consignmentIds ?? [])])].sort(),
    observed: spec.observed,
    threshold: spec.threshold,
    evidence: ids,
    explanation: spec.explanation,
    raisedAt: toIso(Number.isFinite(newest) ? newest : ctx.watermark),
  };
}

/** A context over plain values, for rules' unit specs and one-off evaluations. */
export function contextOf(
  parts: Omit<
    DiversionContext,
    'reached' | 'list' | 'documentKeys' | 'documentUses' | 'ledger' | 'portName'
  > & {
    documentKeys?: () => readonly string[];
    documentUses?: (key: string) => readonly DocumentUse[];
    ledger?: () => ExemptionLedger | undefined;
    portName?: (locode: string) => string | undefined;
    deadlines?: { next: number };
  },
): DiversionContext {
  const deadlines = parts.deadlines ?? { next: Number.POSITIVE_INFINITY };
  const lists = new Map<FactCollection, readonly Fact[]>();
  return {
    consignmentId: parts.consignmentId,
    facts: parts.facts,
    registration: parts.registration,
    exemption: parts.exemption,
    config: parts.config,
    watermark: parts.watermark,
    reached(time: number): boolean {
      if (parts.watermark >= time) return true;
      if (time < deadlines.next) deadlines.next = time;
      return false;
    },
    list<K extends FactCollection>(name: K): ReadonlyArray<FactOf<K>> {
      let facts = lists.get(name);
      if (!facts) lists.set(name, (facts = sorted(parts.facts[name] as Map<string, Fact>)));
      return facts as ReadonlyArray<FactOf<K>>;
    },
    documentKeys: parts.documentKeys ?? (() => documentKeysOf(parts.facts)),
    documentUses: parts.documentUses ?? (() => []),
    ledger: parts.ledger ?? (() => undefined),
    portName: parts.portName ?? (() => undefined),
  };
}
