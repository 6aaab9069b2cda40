import { Controller, Get, HttpStatus, Inject, Param, Query, UsePipes } from '@nestjs/common';
import { seesConsignment, seesFlag, tenantScopeOf, type Principal, type TenantScope } from '@aidwatch/access';
import { consignmentAsOf, consignmentTimeline } from '@aidwatch/audit';
import { riskLevelOf, type Flag, type RiskLevel } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
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
import { ConsignmentQuery, ConsignmentsQuery, TimelineQuery } from './flags.query';
import { ReadModelService } from '../caller/read-model.service';
import { RedactionService } from '../caller/redaction.service';

/** What `seesFlag` reads of a flag or flag-cleared event. */
type FlagLike = { rule?: string; consignmentIds?: string[] };

/** The organisation a tenant-bound principal reads as (undefined: every organisation). */
const tenantOf = (principal: Principal): string | undefined => {
  const scope = tenantScopeOf(principal);
  return scope.kind === 'tenant' ? scope.tenant : undefined;
};
import { ConsignmentSchema, ConsignmentsPageSchema, TimelineSchema } from '../shared/api-schemas';

/** Port names by UN/LOCODE, from the port reference list (`defaultPorts`), read once. */
let portNames: Map<string, string> | undefined;
const portName = (locode: string | null | undefined): string | undefined =>
  locode ? (portNames ??= new Map(defaultPorts().map((p) => [p.locode, p.name]))).get(locode) : undefined;

/**
 * Whether `text` (case-insensitive) is in a consignment's id, exemption, vessel name or MMSI, or a port's
 * UN/LOCODE or name ("CNDLC" or "dalian").
 */
function matchesText(
  view: {
    consignmentId: string;
    exemptionId?: string | null;
    vessel?: { mmsi?: string; name?: string } | null;
    originPort?: string | null;
    destinationPort?: string | null;
  },
  text: string,
): boolean {
  const needle = text.trim().toLowerCase();
  return [
    view.consignmentId,
    view.exemptionId,
    view.vessel?.mmsi,
    view.vessel?.name,
    view.originPort,
    view.destinationPort,
    portName(view.originPort),
    portName(view.destinationPort),
  ].some((v) => typeof v === 'string' && v.toLowerCase().includes(needle));
}

@Controller('consignments')
@Allow('dashboard', 'monitor', 'operator')
@UsePipes(queryValidationPipe)
export class ConsignmentsController {
  constructor(
    private readonly readModel: ReadModelService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly redaction: RedactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiSummary(
    'Consignments visible to the caller, filtered by risk, status, exemptionId, vessel (mmsi) and text (q)',
  )
  @ApiQueryFrom(ConsignmentsQuery, {
    risk: 'highest severity among open flags (none: no open flag)',
    status: 'lifecycle state; unregistered: events but no registration yet (operators only)',
    exemptionId: 'consignments shipped under this exemption',
    mmsi: 'consignments registered on this vessel (9-digit MMSI)',
    q: 'case-insensitive text in the consignment id, exemption id, vessel name or MMSI, or a port code or name',
  })
  @ApiJsonResponse(
    200,
    ConsignmentsPageSchema,
    'the consignments, with quantities per item per step and the count of open flags',
  )
  list(@Query() query: ConsignmentsQuery, @CurrentPrincipal() principal: Principal) {
    const scope = tenantScopeOf(principal);
    const tenantOf = this.readModel.tenantOf;
    const items = [];
    const projection = this.readModel.projection;
    for (const id of projection.consignmentIds()) {
      if (!seesConsignment(scope, id, tenantOf)) continue;
      const view = this.seen(projection.consignment(id), scope);
      if (!view || (query.risk && view.risk !== query.risk)) continue;
      if (query.status && view.status !== query.status) continue;
      if (query.exemptionId && view.exemptionId !== query.exemptionId) continue;
      if (query.mmsi && view.vessel?.mmsi !== query.mmsi) continue;
      if (query.q && !matchesText(view, query.q)) continue;
      const { flags, ...summary } = view;
      items.push({ ...summary, openFlags: flags.length });
      if (items.length >= query.limit) break;
    }
    return { items };
  }

  /** The consignment now (the live read model) or `?asOf=` as it was known then (the same fold, replayed). */
  @Get(':id')
  @ApiSummary(
    'One consignment: state, quantities per item per step, open flags, risk level; ?asOf= as known then',
  )
  @ApiQueryFrom(ConsignmentQuery, {
    asOf: 'the state as AidWatch knew it then: events recorded at or before this RFC 3339 time with a zone',
  })
  @ApiJsonResponse(200, ConsignmentSchema, 'the consignment (with asOf when asked)')
  async get(
    @Param('id') id: string,
    @Query() query: ConsignmentQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    this.assertVisible(principal, id);
    if (query.asOf !== undefined) {
      const asOf = Date.parse(query.asOf);
      const view = await consignmentAsOf(this.store, id, asOf);
      if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not known as of ${query.asOf}`);
      return this.redaction.whole(
        { ...this.seen(view, tenantScopeOf(principal))!, asOf: new Date(asOf).toISOString() },
        tenantOf(principal),
      );
    }
    const view = this.seen(this.readModel.projection.consignment(id), tenantScopeOf(principal));
    if (!view) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    return this.redaction.whole(view, tenantOf(principal));
  }

  /**
   * Its own events interleaved with its exemption's, the flags on it and its vessel's while on board, in
   * store order; `?after=` (from `next`) pages forwards, `?before=` (from `previous`) backwards.
   */
  @Get(':id/timeline')
  @ApiSummary(
    "A consignment's timeline: its events, its exemption's, its flags and its vessel's while on board, paged",
  )
  @ApiQueryFrom(TimelineQuery, {
    after: 'a position from next: the page after it',
    before: 'a position from previous: the page before it',
  })
  @ApiJsonResponse(200, TimelineSchema, 'one page of the timeline, in store order')
  async timeline(
    @Param('id') id: string,
    @Query() query: TimelineQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    this.assertVisible(principal, id);
    if (query.after !== undefined && query.before !== undefined)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'pass either after or before, not both');
    // A page holds at most LIMIT_RESPONSE_BYTES of stored events: `next` / `previous` go on from where it stopped.
    const page = await consignmentTimeline(this.store, id, {
      ...query,
      maxBytes: this.config.limits.responseBytes,
    });
    if (!page) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    const scope = tenantScopeOf(principal);
    const items =
      scope.kind === 'all'
        ? page.items
        : page.items.filter((item) => {
            const flag = (item.event as { type?: string; data?: FlagLike }).data;
            return (
              !item.type.startsWith('aidwatch.flag.') || flag === undefined || this.seesFlag(scope, flag)
            );
          });
    return this.redaction.whole({ ...page, items }, tenantOf(principal));
  }

  /**
   * A consignment as `scope` may see it: only the flags it may see (`seesFlag`: a document flag shown to
   * its first citer only), and the risk level of those.
   */
  private seen<T extends { flags: Flag[]; risk: RiskLevel }>(
    view: T | undefined,
    scope: TenantScope,
  ): T | undefined {
    if (view === undefined || scope.kind === 'all') return view;
    const flags = view.flags.filter((flag) => this.seesFlag(scope, flag));
    return flags.length === view.flags.length ? view : { ...view, flags, risk: riskLevelOf(flags) };
  }

  private seesFlag(scope: TenantScope, flag: FlagLike): boolean {
    return seesFlag(scope, flag, this.readModel.tenantOf, this.readModel.registrationOrderOf);
  }

  /**
   * A caller limited to its tenant reads only its organisation's consignments: another tenant's (or one
   * whose tenant is not known yet) is refused with 403. The tenant comes from the registration's exemption,
   * so an unregistered consignment (or one whose exemption is not granted yet) is the operators' alone.
   */
  private assertVisible(principal: Principal, id: string): void {
    const scope = tenantScopeOf(principal);
    if (scope.kind === 'all') return;
    if (!seesConsignment(scope, id, this.readModel.tenantOf))
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        `consignment ${id} is not one of this credential's organisation`,
      );
  }
}
