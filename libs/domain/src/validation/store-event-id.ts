import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { CloudEvent } from '../cloud-event';

/** Fixed for good: changing it would give every stored event a new id and break idempotent appends. */
export const StoreEventIdNamespace = '1e38fdbd-0c38-43d6-9783-23b8c986d023';

// Parsed once: the namespace as bytes and the name as UTF-8 bytes spare uuid a parse and a hand-made UTF-8
// encoding per call (this runs for every inbound event).
const namespaceBytes = parseUuid(StoreEventIdNamespace);

/** A UUID v5 (RFC 9562) of `source` and `id`, so a redelivered event maps to the id it was first stored under. */
export function storeEventId(event: Pick<CloudEvent, 'source' | 'id'>): string {
  return uuidv5(Buffer.from(`${event.source}\n${event.id}`, 'utf8'), namespaceBytes);
}
