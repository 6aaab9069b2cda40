import { Controller, Get, HttpStatus, Query, UsePipes } from '@nestjs/common';
import { UnknownCursorError } from '@aidwatch/projections';
import { seesFlag, seesTenant, tenantScopeOf, type Principal } from '@aidwatch/access';
import {
  Allow,
  ApiError,
  CurrentPrincipal,
  queryValidationPipe,
  ApiJsonResponse,
  ApiQueryFrom,
  ApiSummary,
} from '@aidwatch/runtime';
import { FlagsQuery } from './flags.query';
import { ReadModelService } from './read-model.service';
import { RedactionService } from './redaction.service';
import { FlagsPageSchema } from './api-schemas';

@Controller('flags')
@Allow('dashboard', 'operator')
@UsePipes(queryValidationPipe)
export class FlagsController {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly redaction: RedactionService,
  ) {}

  @Get()
  @ApiSummary('Risk flags in the order raised, with filters; next is the cursor for after')
  @ApiQueryFrom(FlagsQuery, {
    after: 'the cursor (next) of the previous page',
    mmsi: 'flags about this vessel, or naming consignments it carries',
  })
  @ApiJsonResponse(200, FlagsPageSchema, 'one page of flags, each with its status and cursor')
  list(@Query() query: FlagsQuery, @CurrentPrincipal() principal: Principal) {
    const scope = tenantScopeOf(principal);
    const tenantOf = this.readModel.tenantOf;
    const redact = this.redaction.forTenant(scope.kind === 'tenant' ? scope.tenant : undefined);
    try {
      const page = this.readModel.projection.flags.query({
        ...query,
        // A tenant's `consignmentId` filter applies to what it may see: another organisation's consignment
        // (named by a flag of a shared vessel) selects nothing, so the count reveals nothing.
        visible:
          scope.kind === 'all'
            ? undefined
            : query.consignmentId !== undefined && !seesTenant(scope, tenantOf(query.consignmentId))
              ? () => false
              : (flag) => seesFlag(scope, flag, tenantOf, this.readModel.registrationOrderOf),
      });
      return {
        items: page.items.map((r) =>
          redact(
            { ...r.flag, status: r.status, clearedAt: r.clearedAt, cursor: r.cursor },
            r.flag.consignmentIds,
          ),
        ),
        next: page.next,
      };
    } catch (error) {
      if (error instanceof UnknownCursorError) {
        throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', [
          { field: 'after', message: error.message },
        ]);
      }
      throw error;
    }
  }
}
