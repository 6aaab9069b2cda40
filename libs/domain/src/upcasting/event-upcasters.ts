import { flagRaisedV1ToV2 } from './flag-raised.upcasters';
import { UpcasterRegistry, type VersionedEvent } from './upcaster-registry';

/**
 * Every version step of AidWatch's stored event types, applied on every read of the store (the event store
 * decorator `UpcastingEventStore`), never to what verification and export read. To add a version: write
 * the `vN → vN+1` step beside its type (a pure, total function whose docstring names what changed), list
 * it here, make the new type current in `EventTypes` and move the old one to `SupersededEventTypes`
 * (docs/audit.md, "Schema evolution").
 */
export const EventUpcasters = new UpcasterRegistry([flagRaisedV1ToV2]);

/** A stored event as the current version of its type (the same object when it already is). */
export const upcastEvent = <E extends VersionedEvent>(event: E): E => EventUpcasters.upcast(event);
