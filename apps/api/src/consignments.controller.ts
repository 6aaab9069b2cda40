import { Controller, Get, HttpStatus, Param, Query, UsePipes } from '@nestjs/common';
import { ApiError, queryValidationPipe } from '@aidwatch/runtime';
import { ConsignmentsQuery } from './flags.query';
import { ReadModelService } from './read-model.service';

@Controller('consignments')
@UsePipes(queryValidationPipe)
export class ConsignmentsController {
  constructor(private readonly readModel: ReadModelService) {}

  @Get()
  list(@Query() query: ConsignmentsQuery) {
    const items = [];
    for (const id of this.readModel.projection.consignmentIds()) {
      const view = this.readModel.projection.consignment(id);
      if (!view || (query.risk && view.risk !== query.risk)) continue;
      const { flags, ...summary } = view as { flags: unknown[] } & Record<string, unknown>;
      items.push({ ...summary, openFlags: flags.length });
      if (items.length >= query.limit) break;
    }
    return { items };
  }

  @Get(':id')
  get(@Param('id') id: string) {
    const view = this.readModel.projection.consignment(id);
    if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    return view;
  }
}
