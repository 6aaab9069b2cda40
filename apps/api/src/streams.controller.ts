import { Controller, Get, Inject, Param, Query, UsePipes } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { queryValidationPipe } from '@aidwatch/runtime';
import { StreamQuery } from './flags.query';

/** The stored history (audit trail) of one stream. */
@Controller('streams')
@UsePipes(queryValidationPipe)
export class StreamsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':streamId')
  async get(@Param('streamId') streamId: string, @Query() query: StreamQuery) {
    const events = await this.store.readStream(streamId, {
      direction: query.direction ?? 'forwards',
      fromRevision: query.from === undefined ? undefined : Number(query.from),
      maxCount: query.limit,
    });
    return {
      streamId,
      events: events.map((e) => ({
        revision: e.revision,
        position: e.position,
        id: e.id,
        type: e.type,
        recordedAt: e.recordedAt,
        metadata: e.metadata,
        event: e.data,
      })),
    };
  }
}
