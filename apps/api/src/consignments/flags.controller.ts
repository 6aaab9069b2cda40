import { Controller, Get, HttpStatus, Query, Req, Res, UsePipes } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlagsReadModel, UnknownCursorError, type FlagRecord } from '@aidwatch/projections';
import { seesFlag, seesTenant } from '@aidwatch/access';
import {
  Allow,
  ApiError,
  FairSlices,
  FairTurns,
  writeItemsInSlices,
  queryValidationPipe,
  ApiJsonResponse,
  ApiQueryFrom,
  ApiSummary,
} from '@aidwatch/runtime';
import { FlagsQuery } from './flags.query';
import { ReadModelService } from '../caller/read-model.service';
import { RedactionService } from '../caller/redaction.service';
import { FlagsPageSchema } from '../shared/api-schemas';
import { callerOf, holderOf } from '../caller/principal';

@Controller('flags')
@Allow('dashboard', 'operator')
@UsePipes(queryValidationPipe)
export class FlagsController {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly redaction: RedactionService,
    private readonly turns: FairTurns,
  ) {}

  @Get()
  @ApiSummary('Risk flags in the order raised, with filters; next is the cursor for after')
  @ApiQueryFrom(FlagsQuery, {
    after: 'the cursor (next) of the previous page',
    mmsi: 'flags about this vessel, or naming consignments it carries',
  })
  @ApiJsonResponse(200, FlagsPageSchema, 'one page of flags, each with its status and cursor')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: FlagsQuery): Promise<void> {
    const caller = callerOf(req);
    const scope = caller.scope;
    const tenantOf = this.readModel.tenantOf;
    const redact = this.redaction.forTenant(caller.tenant);
    let scan: Iterable<FlagRecord>;
    try {
      const projection = this.readModel.projection;
      scan = projection.flags.scan({
        ...query,
        // A tenant-bound reader walks the flags naming its organisation's consignments, not every flag of the
        // deployment: its page costs its own flags, however many another organisation has.
        within:
          scope.kind === 'all'
            ? undefined
            : scope.kind === 'tenant'
              ? projection.flagIndicesOf(scope.tenant)
              : [],
        // A tenant's `consignmentId` filter applies to what it may see: another organisation's consignment
        // (named by a flag of a shared vessel) selects nothing, so the count reveals nothing.
        visible:
          scope.kind === 'all'
            ? undefined
            : query.consignmentId !== undefined && !seesTenant(scope, tenantOf(query.consignmentId))
              ? () => false
              : (flag) => seesFlag(scope, flag, tenantOf, this.readModel.registrationOrderOf),
      });
    } catch (error) {
      if (error instanceof UnknownCursorError) {
        throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', [
          { field: 'after', message: error.message },
        ]);
      }
      throw error;
    }
    // A long page (up to 10,000 flags, megabytes of JSON) is read, redacted and written in slices of a few
    // milliseconds, each at the caller's organisation's turn (`FairSlices`), as `GET /alerts` is: another
    // organisation's requests and /health are served in between, however many such pages one asks for at once.
    const slices = new FairSlices(this.turns, holderOf(caller));
    const items: FlagRecord[] = [];
    for (const r of scan) {
      if (items.push(r) >= query.limit) break;
      const wait = slices.next();
      if (wait) await wait;
    }
    res.status(HttpStatus.OK).type('application/json');
    await writeItemsInSlices(
      res,
      items,
      slices,
      (r) =>
        redact(
          { ...r.flag, status: r.status, clearedAt: r.clearedAt, cursor: r.cursor },
          r.flag.consignmentIds,
        ),
      `,"next":${JSON.stringify(FlagsReadModel.nextOf(items, query.limit))}`,
    );
  }
}
