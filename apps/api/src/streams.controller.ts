import { Controller, Get, HttpStatus, Inject, Param, Query, UsePipes } from '@nestjs/common';
import { seesFlag, seesTenant, tenantScopeOf, type Principal, type TenantScope } from '@aidwatch/access';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import {
  Allow,
  ApiError,
  CurrentPrincipal,
  queryValidationPipe,
  ApiJsonResponse,
  ApiQueryFrom,
  ApiSummary,
} from '@aidwatch/runtime';
import { StreamQuery } from './flags.query';
import { ReadModelService } from './read-model.service';
import { RedactionService } from './redaction.service';
import { StreamSchema } from './api-schemas';

/**
 * The stored history (audit trail) of one stream. An operator reads any stream; a dashboard reads the
 * streams of its organisation's consignments and exemptions (`consignment-`, `risk-consignment-`,
 * `exemption-`), and a vessel's risk stream filtered to the flags that concern its consignments; any
 * other stream (AIS tracks, ports, designations) is refused. What a dashboard reads is redacted for its
 * organisation (`RedactionService.whole`), like `/flags`.
 */
@Controller('streams')
@Allow('dashboard', 'operator')
@UsePipes(queryValidationPipe)
export class StreamsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: ReadModelService,
    private readonly redaction: RedactionService,
  ) {}

  @Get(':streamId')
  @ApiSummary('The stored history (audit trail) of one stream, with its hash chain links')
  @ApiQueryFrom(StreamQuery, {
    from: 'the first revision to read',
    direction: 'forwards (oldest first, default) or backwards',
  })
  @ApiJsonResponse(
    200,
    StreamSchema,
    'the events the caller may see, with revision, position and chain metadata',
  )
  async get(
    @Param('streamId') streamId: string,
    @Query() query: StreamQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    const scope = tenantScopeOf(principal);
    const keep = this.access(scope, streamId);
    // Redacted per reader like /flags: a tenant-bound reader receives only its own organisation's
    // consignment ids, exemptions, organisation and sites (a flag of a shared vessel names others' too).
    const tenant = scope.kind === 'tenant' ? scope.tenant : undefined;
    const events = await this.store.readStream(streamId, {
      direction: query.direction ?? 'forwards',
      fromRevision: query.from === undefined ? undefined : Number(query.from),
      maxCount: query.limit,
    });
    return {
      streamId,
      events: events.filter(keep).map((e) => ({
        revision: e.revision,
        position: e.position,
        id: e.id,
        type: e.type,
        recordedAt: e.recordedAt,
        // What caused a flag (`cause`: another organisation's stream, maybe) is the operators'.
        metadata: tenant === undefined ? e.metadata : withoutCause(e.metadata),
        event: this.redaction.whole(e.data, tenant),
      })),
    };
  }

  /** Which events of the stream the caller may read; throws 403 when it may read none of them. */
  private access(scope: TenantScope, streamId: string): (event: StoredEvent) => boolean {
    if (scope.kind === 'all') return () => true;
    const { tenants } = this.readModel.projection;
    const refuse = () =>
      new ApiError(HttpStatus.FORBIDDEN, 'forbidden', [
        { field: 'streamId', message: `stream ${streamId} is not one of this credential's organisation` },
      ]);
    const owned = (prefix: string, tenantOf: (id: string) => string | undefined) => {
      if (!streamId.startsWith(prefix)) return false;
      if (!seesTenant(scope, tenantOf(streamId.slice(prefix.length)))) throw refuse();
      return true;
    };
    if (owned('consignment-', (id) => tenants.tenantOfConsignment(id))) return () => true;
    if (owned('risk-consignment-', (id) => tenants.tenantOfConsignment(id)))
      return (event) => {
        const flag = (event.data as { data?: { rule?: string; consignmentIds?: string[] } }).data ?? {};
        return seesFlag(scope, flag, this.readModel.tenantOf, this.readModel.registrationOrderOf);
      };
    if (owned('exemption-', (id) => tenants.tenantOfExemption(id))) return () => true;
    if (streamId.startsWith('risk-vessel-')) {
      return (event) => {
        const flag = (event.data as { data?: { rule?: string; consignmentIds?: string[] } }).data ?? {};
        return seesFlag(scope, flag, this.readModel.tenantOf, this.readModel.registrationOrderOf);
      };
    }
    throw refuse();
  }
}

/** Store metadata without `cause` (the inbound stream whose event raised or cleared a flag). */
function withoutCause(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!('cause' in metadata)) return metadata;
  const { cause: _cause, ...rest } = metadata;
  return rest;
}
