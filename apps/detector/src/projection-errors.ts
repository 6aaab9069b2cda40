import { FencedError, type StoredEvent } from '@aidwatch/event-store';
import type { Logger } from '@aidwatch/observability';

/**
 * The `onError` of a detector's projection runner: a FencedError (this detector's lease was taken over, so
 * its checkpoint write was refused, as designed) is a warning; anything else is an error. `message` names
 * the projection that stopped.
 */
export function logProjectionError(
  logger: Logger,
  message: string,
): (error: unknown, event?: StoredEvent) => void {
  return (error, event) => {
    const context = { err: error, ...(event && { eventId: event.id, stream: event.streamId }) };
    if (error instanceof FencedError)
      logger.warn(
        context,
        `${message}: fenced, another detector holds the lease (expected after a takeover)`,
      );
    else logger.error(context, message);
  };
}
