export * from './cloud-event';
export * from './event-types';
export * from './events';
export * from './flag';
export * from './streams';
export * from './event-catalogue';
export * from './internal-event-catalogue';
export * from './validation/identifier-rules';
export * from './validation/field-rules';
export * from './validation/envelope.dto';
export * from './validation/shared-data.dto';
export * from './validation/reference-data.dto';
export * from './validation/consignment-data.dto';
export * from './validation/field-report-data.dto';
export * from './validation/vessel-data.dto';
export * from './validation/input-data.dto';
export { validateCloudEvent, type EventValidation, type Rejection } from './validation/validate-cloud-event';
export { decodeKafkaMessage, type KafkaInboundMessage } from './validation/kafka-message.decoder';
export {
  BODY_INDEX,
  decodeHttpBody,
  httpBodyEvents,
  type HttpBodyDecoding,
  type HttpEventError,
  type HttpHeaders,
} from './validation/http-body.decoder';
export * from './validation/context-attributes';
export { StoreEventIdNamespace, storeEventId } from './validation/store-event-id';
export * from './mmsi-flag';
export * from './validation/json-schemas';
export {
  CompiledEventValidator,
  validateCloudEventCompiled,
  validateInboundEvent,
} from './validation/compiled-event-validator';
export * from './asyncapi-document';
export * from './upcasting/upcaster-registry';
export * from './upcasting/flag-raised.upcasters';
export * from './upcasting/event-upcasters';
export * from './upcasting/published-form';
export * from './vessel-name';
export * from './ownership';
export * from './partition-caught-up';
export * from './input-quiet';
export * from './flag-audience';
export * from './list-entries';
export * from './aboard';
export { eventDepthRejection, jsonDepthExceeds, MAX_JSON_DEPTH } from './validation/json-depth';
