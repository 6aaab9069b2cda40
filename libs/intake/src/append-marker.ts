import { storeEventId, type AidEvent, type CloudEvent } from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';

/**
 * Appends one of AidWatch's own markers (a partition's caught-up marker, a source's quiet marker) to
 * `streamId` with `metadata`, under the store id of its CloudEvents `source` + `id`: a marker written twice
 * under one id is stored once.
 */
export async function appendMarker(
  store: EventStore,
  streamId: string,
  event: CloudEvent<string, unknown>,
  metadata: Record<string, unknown>,
): Promise<void> {
  await store.appendMany([
    {
      streamId,
      events: [{ id: storeEventId(event as unknown as AidEvent), type: event.type, data: event, metadata }],
      expected: 'any',
    },
  ]);
}
