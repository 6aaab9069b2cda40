export * from './flag-identity';
export * from './flag-draft';
export * from './open-flags';
export * from './detector';
export {
  DiversionDetector,
  FANOUT_PER_EVENT,
  type ConsignmentEntry,
  type DiversionHead,
  type DiversionSnapshot,
} from './diversion/diversion-detector';
export { defaultDiversionConfig, type DiversionConfig } from './diversion/diversion-config';
export { diversionRules, evaluateDiversionRules } from './diversion/diversion-rules';
export type { DiversionContext, DiversionRule } from './diversion/diversion-context';
export {
  ConsignmentStatuses,
  consignmentViewOf,
  type ConsignmentStatus,
  type ConsignmentView,
  type ItemSteps,
} from './diversion/consignment-view';
export {
  consignmentFromJson,
  consignmentIdOf,
  consignmentToJson,
  emptyConsignment,
  foldConsignmentEvent,
  registrationOf,
  type ConsignmentFacts,
  type ConsignmentFactsJson,
} from './diversion/consignment-facts';
export {
  emptyExemption,
  exemptionFromJson,
  exemptionOf,
  exemptionToJson,
  foldExemptionEvent,
  type ExemptionFacts,
  type ExemptionFactsJson,
} from './diversion/exemption-facts';
export {
  MaritimeDetector,
  type MaritimeCounters,
  type PastFix,
  type RouteReplayRequest,
  type VesselHistory,
} from './maritime/maritime-detector';
export {
  defaultMaritimeConfig,
  maritimeConfig,
  type MaritimeConfig,
  type MaritimeConfigOverrides,
} from './maritime/maritime-config';
export type { ConsignmentLinker } from './maritime/flag-sink';
export { PortIndex, type PortRecord } from './maritime/port-index';
export type { MaritimeHead, MaritimeSnapshot, VesselJson } from './maritime/maritime-snapshot';
export type { Fix, VesselRule } from './maritime/vessel-rule';
export { defaultMidFlagStates, flagStateOfMmsi } from './maritime/mid-flag-states';
export { imoCheckDigitValid } from './maritime/identity-change.rule';
export * from './detection-config';
export * from './detection-engine';
