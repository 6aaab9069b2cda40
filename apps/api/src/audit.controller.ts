import { Controller, Get, Inject } from '@nestjs/common';
import { verifyStore } from '@aidwatch/audit';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { Allow } from '@aidwatch/runtime';

/** Tamper evidence for operators (docs/audit.md). */
@Controller('audit')
@Allow('operator')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Recomputes every stream's hash chain and every checkpoint's Merkle root over the whole store:
   * `{ok, events, streams, checkpoints, latestRoot, broken, firstBroken: {streamId, revision, eventId,
   * position, reason} | null}`. 200 either way: the answer is the report.
   */
  @Get('verify')
  verify() {
    return verifyStore(this.store); // reads the log as stored, under every layer
  }
}
