import {
  consignmentFromJson,
  consignmentToJson,
  consignmentViewOf,
  emptyConsignment,
  emptyExemption,
  exemptionFromJson,
  exemptionOf,
  exemptionToJson,
  foldConsignmentEvent,
  foldExemptionEvent,
  registrationOf,
  type ConsignmentFacts,
  type ConsignmentFactsJson,
  type ConsignmentView,
  type ExemptionFacts,
  type ExemptionFactsJson,
} from '@aidwatch/detection';
import {
  EventTypes,
  StreamNames,
  subjectOfEvent,
  type AidEvent,
  type EventSubjectKind,
  type Flag,
  type RiskLevel,
} from '@aidwatch/domain';
import type { AllFilter, StoredEvent } from '@aidwatch/event-store';
import { FlagsReadModel } from '../flags-read-model';

/**
 * The consignment read model: what `GET /consignments/:id` serves, live and as of a moment. A fold of the
 * facts (consignment and exemption streams) and of the flag events the detector wrote (risk streams): the
 * state and quantities come from the facts, risk and flags from the flag events only — no rule runs here.
 */
export interface ConsignmentReadModel {
  consignments: Map<string, ConsignmentFacts>;
  exemptions: Map<string, ExemptionFacts>;
  flags: FlagsReadModel;
}

/** The subjects whose inbound events the fold reads (their catalogue rows' `subject`): facts of each kind. */
const readModelSubjects = ['consignment', 'exemption'] as const satisfies EventSubjectKind[];

/**
 * The streams the fold reads (emmett's `canHandle`): those of its subjects (`consignment-`, `exemption-`) and
 * the flags' (`risk-`).
 */
export const consignmentReadModelFilter: AllFilter = {
  streamPrefixes: [...readModelSubjects.map((kind) => StreamNames[kind]('')), 'risk-'],
};

export const initialConsignmentReadModel = (): ConsignmentReadModel => ({
  consignments: new Map(),
  exemptions: new Map(),
  flags: new FlagsReadModel(),
});

/** Applies one stored event (in store order). Mutates and returns `state`; unknown events leave it as is. */
export function evolve(state: ConsignmentReadModel, stored: StoredEvent): ConsignmentReadModel {
  evolveNoting(state, stored);
  return state;
}

/** What one event changed in the read model: a consignment's or an exemption's facts, or one flag record. */
export type ReadModelChange = { consignmentId: string } | { exemptionId: string } | { flagIndex: number };

/**
 * `evolve`, saying what it changed (undefined: nothing), for checkpoints of what changed. Flags go to the flag
 * records; an inbound event is folded by what its catalogue row says it is about: an exemption's facts or a
 * consignment's (any other subject changes nothing).
 */
export function evolveNoting(state: ConsignmentReadModel, stored: StoredEvent): ReadModelChange | undefined {
  if (stored.type === EventTypes.FlagRaised || stored.type === EventTypes.FlagCleared) {
    const flagIndex = state.flags.apply(stored);
    return flagIndex === undefined ? undefined : { flagIndex };
  }
  const event = stored.data as AidEvent;
  const subject = subjectOfEvent(event);
  switch (subject?.kind) {
    case 'exemption': {
      const id = subject.id;
      let facts = state.exemptions.get(id);
      if (!facts) state.exemptions.set(id, (facts = emptyExemption(id)));
      foldExemptionEvent(facts, event);
      return { exemptionId: id };
    }
    case 'consignment': {
      const consignmentId = subject.id;
      let facts = state.consignments.get(consignmentId);
      if (!facts) state.consignments.set(consignmentId, (facts = emptyConsignment(consignmentId)));
      foldConsignmentEvent(facts, event);
      return { consignmentId };
    }
    default:
      return undefined;
  }
}

/** The JSON of `GET /consignments/:id`: state and quantities per step, then `risk` and open `flags`. */
export type ConsignmentDocument = Omit<ConsignmentView, 'riskLevel' | 'openFlags'> & {
  risk: RiskLevel;
  flags: Flag[];
};

export function consignmentDocument(
  state: ConsignmentReadModel,
  consignmentId: string,
): ConsignmentDocument | undefined {
  const facts = state.consignments.get(consignmentId);
  if (!facts) return undefined;
  const registration = registrationOf(facts);
  const exemption = registration ? exemptionOf(state.exemptions.get(registration.exemptionId)) : undefined;
  const {
    riskLevel: _risk,
    openFlags: _flags,
    ...view
  } = consignmentViewOf({ consignmentId, facts, registration, exemption }, []);
  return { ...view, risk: state.flags.riskOf(consignmentId), flags: state.flags.openFlagsOf(consignmentId) };
}

export function consignmentIds(state: ConsignmentReadModel): string[] {
  return [...state.consignments.keys()].sort();
}

export interface ConsignmentReadModelJson {
  consignments: ConsignmentFactsJson[];
  exemptions: ExemptionFactsJson[];
  flags: unknown;
}

export const consignmentReadModelToJson = (state: ConsignmentReadModel): ConsignmentReadModelJson => ({
  consignments: [...state.consignments.values()].map(consignmentToJson),
  exemptions: [...state.exemptions.values()].map(exemptionToJson),
  flags: state.flags.snapshot(),
});

export function consignmentReadModelFromJson(json: ConsignmentReadModelJson): ConsignmentReadModel {
  const state = initialConsignmentReadModel();
  for (const c of json.consignments) state.consignments.set(c.consignmentId, consignmentFromJson(c));
  for (const e of json.exemptions) state.exemptions.set(e.exemptionId, exemptionFromJson(e));
  state.flags.restore(json.flags);
  return state;
}
