import {
  Controller,
  Get,
  HttpStatus,
  Inject,
  Query,
  Req,
  Res,
  UsePipes,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { filterErrors, filterMatches, type AlertFilter } from '@aidwatch/alerts';
import {
  AuthenticationError,
  Authenticator,
  seesFlag,
  StoreTenantLookup,
  tenantScopeOf,
  type Principal,
  type TenantScope,
} from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import {
  DocumentRules,
  NotificationEventPrefixes,
  publishedForm,
  publishedTypeOf,
  type Flag,
  type FlagClearedData,
} from '@aidwatch/domain';
import { EVENT_STORE, type EventStore, type StoredEvent, type Subscription } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { Allow, APP_CONFIG, ApiError, CurrentPrincipal, queryValidationPipe } from '@aidwatch/runtime';
import { AlertStreamQuery } from './alert.dto';
import { alertFilterOf } from './alert-filter.mapping';
import { AlertsService } from './alerts.service';
import { ReadModelService } from '../caller/read-model.service';
import { comparePositions } from '../shared/resume-position';
import { consignmentIdsOf, RedactionService, type PublishedEvent } from '../caller/redaction.service';

const HEARTBEAT_MS = 15_000;
/** How long a client that stopped reading may hold its buffer before it is dropped. */
const DRAIN_TIMEOUT_MS = 10_000;
/** How often an open stream's credential is checked again: a revoked key or expired token ends it this soon. */
const CREDENTIAL_RECHECK_MS = 2_000;
/** Longest slice of the event loop one stream's history replay holds before it waits for its next turn. */
const SLICE_MS = 5;

type FlagData = Partial<Flag> &
  Partial<FlagClearedData> & { alert?: { rule?: string; consignmentIds?: string[] } };

/**
 * `GET /alerts/stream`: flag and alert lifecycle events as Server-Sent Events, filtered alike by the alert
 * each event belongs to (organisation, exemption, rule, severities, status, consignment, vessel, bbox). A new connection starts at the live head; a
 * client asking for history with `Last-Event-ID` (or `?after=`, a store position) resumes exactly after
 * that event, read from the store in slices of at most 5 ms or `SSE_HISTORY_PAGE` events; between two slices a
 * stream waits for its organisation's turn (`FairTurns`: one slice per event-loop iteration, round the
 * organisations), so replays never stall other requests and one organisation's many replays get the share of
 * another's one. An organisation holds at most `SSE_STREAMS_PER_TENANT` streams open (429 beyond). A client
 * that stops reading is dropped once `SSE_MAX_BUFFERED_BYTES` are waiting for it (or it has not drained
 * for 10 s); it may reconnect with the last id it received. Each caller sees only the flags of its
 * tenants (`seesFlag`). The credential is checked again every 2 s: once it is revoked or expired, the
 * stream sends `event: error` and ends.
 */
@ApiTags('Alerts')
@ApiBearerAuth()
@Controller('alerts')
@Allow('dashboard', 'monitor', 'operator')
@UsePipes(queryValidationPipe)
export class AlertsController implements BeforeApplicationShutdown {
  private readonly open = new Set<Subscription>();
  /** Open streams per organisation (operators: per credential), for `SSE_STREAMS_PER_TENANT`. */
  private readonly openPerHolder = new Map<string, number>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: AidwatchMetrics,
    private readonly readModel: ReadModelService,
    private readonly tenants: StoreTenantLookup,
    private readonly alerts: AlertsService,
    private readonly authenticator: Authenticator,
    private readonly redaction: RedactionService,
  ) {}

  /** Ends open streams so the HTTP server can close (clients reconnect with Last-Event-ID). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }

  @Get('stream')
  @ApiOperation({
    summary:
      'Server-Sent Events of flag and alert lifecycle events; live head, or history after Last-Event-ID',
  })
  async stream(
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: AlertStreamQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const filter = alertFilterOf(query);
    const errors = filterErrors(filter);
    if (errors.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', errors);
    const field = req.header('last-event-id') ? 'Last-Event-ID' : 'after';
    const requested = req.header('last-event-id') || query.after || undefined;
    const scope = tenantScopeOf(principal);
    const tenant = scope.kind === 'tenant' ? scope.tenant : undefined;
    const holder = tenant === undefined ? `credential:${principal.subject}` : `tenant:${tenant}`;
    const { maxBufferedBytes, historyPageSize, streamsPerTenant } = this.config.http.sse;
    if ((this.openPerHolder.get(holder) ?? 0) >= streamsPerTenant) {
      res.setHeader('Retry-After', '5');
      throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'too many open alert streams', [
        {
          field: 'stream',
          message: `at most ${streamsPerTenant} alert streams open at once per organisation; close one first`,
        },
      ]);
    }
    const head = await this.store.headPosition();
    if (requested !== undefined && head !== null && (comparePositions(requested, head) ?? 0) > 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid resume position', [
        { field, message: `position ${requested} is beyond the newest event (${head})` },
      ]);
    }
    let subscription: Subscription;
    try {
      subscription = this.store.subscribeToAll({
        after: requested ?? head ?? undefined,
        filter: { eventTypePrefixes: [...NotificationEventPrefixes] },
      });
    } catch (error) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid resume position', [
        { field, message: (error as Error).message },
      ]);
    }
    this.open.add(subscription);
    this.openPerHolder.set(holder, (this.openPerHolder.get(holder) ?? 0) + 1);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.metrics.alertSubscribers.inc();
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const closed = new Promise<void>((resolve) => req.on('close', resolve));
    void closed.then(() => subscription.close());
    // A credential revoked (or a token expired) while the stream is open ends it within seconds.
    const authorization = req.header('authorization');
    const recheck = setInterval(() => {
      this.authenticator.authenticate(authorization).catch((error: unknown) => {
        clearInterval(recheck);
        const reason = error instanceof AuthenticationError ? error.message : 'credential no longer valid';
        res.write(`event: error\ndata: ${JSON.stringify({ error: 'unauthenticated', reason })}\n\n`);
        void subscription.close();
      });
    }, CREDENTIAL_RECHECK_MS);
    const visible = this.visibility(scope);
    let sinceYield = 0;
    let sliceStart = performance.now();
    try {
      for await (const event of subscription) {
        if (++sinceYield >= historyPageSize || performance.now() - sliceStart >= SLICE_MS) {
          sinceYield = 0;
          await this.alerts.turns.take(holder);
          sliceStart = performance.now();
        }
        if (!(await visible(event)) || !(await this.passes(event, filter, tenant))) continue;
        const published = await this.redaction.event(
          publishedForm(event.data as PublishedEvent),
          consignmentIdsOf(event),
          tenant,
        );
        const frame = `id: ${event.position}\nevent: ${publishedTypeOf(event.type)}\ndata: ${JSON.stringify(published)}\n\n`;
        if (res.write(frame)) continue;
        if (res.writableLength > maxBufferedBytes || !(await drained(res, closed))) {
          this.metrics.sseClientsDropped.inc();
          res.destroy();
          break;
        }
      }
    } catch (error) {
      res.write(`event: error\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
    } finally {
      clearInterval(heartbeat);
      clearInterval(recheck);
      this.open.delete(subscription);
      const left = (this.openPerHolder.get(holder) ?? 1) - 1;
      if (left > 0) this.openPerHolder.set(holder, left);
      else this.openPerHolder.delete(holder);
      await subscription.close();
      this.metrics.alertSubscribers.dec();
      res.end();
    }
  }

  /** Judges every event type alike, by its alert (a `cleared` by the severity of the flag it clears). */
  /** A tenant's filter sees the alert's labels as redacted for it (no matching on others' identifiers). */
  private async passes(
    event: StoredEvent,
    filter: AlertFilter,
    tenant: string | undefined,
  ): Promise<boolean> {
    const facts = await this.alerts.factsOf(event);
    if (!facts) return Object.values(filter).every((v) => v === undefined);
    return filterMatches(filter, { ...facts, labels: this.redaction.labels(facts.labels, tenant) });
  }

  /** Whether a flag event concerns the caller's tenants (read model first, the store for new consignments). */
  private visibility(scope: TenantScope): (event: StoredEvent) => Promise<boolean> {
    if (scope.kind === 'all') return async () => true;
    if (scope.kind === 'none') return async () => false;
    return async (event) => {
      const data = (event.data as { data?: FlagData & { organisation?: unknown } }).data ?? {};
      // An organisation's action on its own view of a shared alert: that organisation's (and operators').
      if (data.organisation !== undefined && data.organisation !== scope.tenant) return false;
      const flag = data.alert ?? data; // a lifecycle event names its alert's consignments
      if (seesFlag(scope, flag, this.readModel.tenantOf, this.readModel.registrationOrderOf)) return true;
      // A document flag is shown to its first citer only, which needs every consignment folded.
      if (flag.rule !== undefined && DocumentRules.has(flag.rule)) return false;
      for (const id of flag.consignmentIds ?? []) {
        if (this.readModel.tenantOf(id) !== undefined) continue;
        if ((await this.tenants.tenantOfConsignment(id)) === scope.tenant) return true;
      }
      return false;
    };
  }
}

/** Resolves true once the response drained, false when the client went away or did not read in time. */
function drained(res: Response, closed: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    res.once('drain', () => done(true));
    void closed.then(() => done(false));
  });
}
