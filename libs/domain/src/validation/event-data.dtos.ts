// The DTO map and the inbound type list are derived from the event catalogue.
export {
  EventDataDtos,
  InboundEventTypes,
  isInboundEventType,
  type EventDataOf,
  type InboundEventType,
} from '../event-catalogue';
