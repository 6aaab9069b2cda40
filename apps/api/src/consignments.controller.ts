import { Controller, Get, HttpStatus, Inject, Param, Query, UsePipes } from '@nestjs/common';
import { consignmentAsOf, consignmentTimeline } from '@aidwatch/audit';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { ApiError, queryValidationPipe } from '@aidwatch/runtime';
import { ConsignmentQuery, ConsignmentsQuery, TimelineQuery } from './flags.query';
import { ReadModelService } from './read-model.service';

@Controller('consignments')
@UsePipes(queryValidationPipe)
export class ConsignmentsController {
  constructor(
    private readonly readModel: ReadModelService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  list(@Query() query: ConsignmentsQuery) {
    const items = [];
    const projection = this.readModel.projection;
    for (const id of projection.consignmentIds()) {
      const view = projection.consignment(id);
      if (!view || (query.risk && view.risk !== query.risk)) continue;
      const { flags, ...summary } = view;
      items.push({ ...summary, openFlags: flags.length });
      if (items.length >= query.limit) break;
    }
    return { items };
  }

  /** The consignment now (the live read model) or `?asOf=` as it was known then (the same fold, replayed). */
  @Get(':id')
  async get(@Param('id') id: string, @Query() query: ConsignmentQuery) {
    if (query.asOf !== undefined) {
      const asOf = Date.parse(query.asOf);
      const view = await consignmentAsOf(this.store, id, asOf);
      if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not known as of ${query.asOf}`);
      return { ...view, asOf: new Date(asOf).toISOString() };
    }
    const view = this.readModel.projection.consignment(id);
    if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    return view;
  }

  /**
   * Its own events interleaved with its exemption's, the flags on it and its vessel's while on board, in
   * store order; `?after=` (from `next`) pages forwards, `?before=` (from `previous`) backwards.
   */
  @Get(':id/timeline')
  async timeline(@Param('id') id: string, @Query() query: TimelineQuery) {
    if (query.after !== undefined && query.before !== undefined)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'pass either after or before, not both');
    const page = await consignmentTimeline(this.store, id, query);
    if (!page) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    return page;
  }
}
