import { Controller, Get, HttpStatus, Param, Query, UsePipes } from '@nestjs/common';
import { seesConsignment, tenantScopeOf, type Principal } from '@aidwatch/access';
import { Allow, ApiError, CurrentPrincipal, queryValidationPipe } from '@aidwatch/runtime';
import { ConsignmentsQuery } from './flags.query';
import { ReadModelService } from './read-model.service';

@Controller('consignments')
@Allow('dashboard', 'monitor', 'operator')
@UsePipes(queryValidationPipe)
export class ConsignmentsController {
  constructor(private readonly readModel: ReadModelService) {}

  @Get()
  list(@Query() query: ConsignmentsQuery, @CurrentPrincipal() principal: Principal) {
    const scope = tenantScopeOf(principal);
    const tenantOf = this.readModel.tenantOf;
    const items = [];
    for (const id of this.readModel.projection.consignmentIds()) {
      if (!seesConsignment(scope, id, tenantOf)) continue;
      const view = this.readModel.projection.consignment(id);
      if (!view || (query.risk && view.risk !== query.risk)) continue;
      const { flags, ...summary } = view as { flags: unknown[] } & Record<string, unknown>;
      items.push({ ...summary, openFlags: flags.length });
      if (items.length >= query.limit) break;
    }
    return { items };
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const view = this.readModel.projection.consignment(id);
    if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    if (!seesConsignment(tenantScopeOf(principal), id, this.readModel.tenantOf))
      throw new ApiError(HttpStatus.FORBIDDEN, `consignment ${id} belongs to another organisation`);
    return view;
  }
}
