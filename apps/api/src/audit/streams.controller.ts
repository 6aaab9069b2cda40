import { Controller, Get, HttpStatus, Inject, Param, Query, UsePipes } from '@nestjs/common';
import { seesFlag, seesTenant, tenantScopeOf, type Principal, type TenantScope } from '@aidwatch/access';
import { storedBytesOf } from '@aidwatch/audit';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import type { AppConfig } from '@aidwatch/config';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  CurrentPrincipal,
  queryValidationPipe,
  ApiJsonResponse,
  ApiQueryFrom,
  ApiSummary,
} from '@aidwatch/runtime';
import { StreamQuery } from '../consignments/flags.query';
import { ReadModelService } from '../caller/read-model.service';
import { RedactionService } from '../caller/redaction.service';
import { StreamSchema } from '../shared/api-schemas';

/**
 * The stored history (audit trail) of one stream. An operator reads any stream; a dashboard reads the
 * streams of its organisation's consignments and exemptions (`consignment-`, `risk-consignment-`,
 * `exemption-`), and a vessel's risk stream filtered to the flags that concern its consignments; any
 * other stream (AIS tracks, ports, designations) is refused. What a dashboard reads is redacted for its
 * organisation (`RedactionService.whole`), like `/flags`. A page holds `limit` events and at most
 * `LIMIT_RESPONSE_BYTES` of them (one at least); `next` is the revision to pass as `from` for the following
 * page in the same direction (null: none).
 */
@Controller('streams')
@Allow('dashboard', 'operator')
@UsePipes(queryValidationPipe)
export class StreamsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: ReadModelService,
    private readonly redaction: RedactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    const { events, next } = await this.page(streamId, query);
    return {
      streamId,
      next,
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

  /**
   * Up to `limit` events from `from` in `direction`, read a slice at a time and stopped before the event that
   * would take the page over `LIMIT_RESPONSE_BYTES` (one event at least), so no request holds more than that of
   * a stream in memory; `next`: the revision the following page starts from, null when there is none.
   */
  private async page(
    streamId: string,
    query: StreamQuery,
  ): Promise<{ events: StoredEvent[]; next: number | null }> {
    const direction = query.direction ?? 'forwards';
    const step = direction === 'forwards' ? 1 : -1;
    const maxBytes = this.config.limits.responseBytes;
    const events: StoredEvent[] = [];
    let from = query.from === undefined ? undefined : Number(query.from);
    let bytes = 0;
    for (;;) {
      const want = Math.min(STREAM_SLICE, query.limit - events.length);
      const slice = await this.store.readStream(streamId, { direction, fromRevision: from, maxCount: want });
      for (const e of slice) {
        bytes += storedBytesOf(e);
        if (bytes > maxBytes && events.length > 0) return { events, next: e.revision };
        events.push(e);
      }
      const last = events.at(-1);
      if (slice.length < want || last === undefined) return { events, next: null };
      from = last.revision + step;
      if (from < 0) return { events, next: null };
      if (events.length >= query.limit) {
        // Whether anything follows: one more event, read for its revision only.
        const [after] = await this.store.readStream(streamId, { direction, fromRevision: from, maxCount: 1 });
        return { events, next: after ? after.revision : null };
      }
    }
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

/** Events read from the store at a time while a page of a stream is gathered. */
const STREAM_SLICE = 200;

/** Store metadata without `cause` (the inbound stream whose event raised or cleared a flag). */
function withoutCause(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!('cause' in metadata)) return metadata;
  const { cause: _cause, ...rest } = metadata;
  return rest;
}
