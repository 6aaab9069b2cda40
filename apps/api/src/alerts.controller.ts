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
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ALERT_EVENT_PREFIX, filterErrors, filterMatches, type AlertFilter } from '@aidwatch/alerts';
import { EVENT_STORE, type EventStore, type StoredEvent, type Subscription } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { ApiError, queryValidationPipe } from '@aidwatch/runtime';
import { AlertStreamQuery } from './alert.dto';
import { alertFilterOf } from './alert-filter.mapping';
import { AlertsService } from './alerts.service';
import { principalOf } from './principal';
import { TenancyService } from './tenancy.service';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /alerts/stream`: flag and alert lifecycle events as Server-Sent Events, filtered alike by the
 * alert each event belongs to (organisation, exemption, rule, severities, status, consignment, vessel, bbox). Each event's `id:` is its store position, so a
 * client reconnecting with `Last-Event-ID` (or `?after=`) resumes exactly after the last event it saw.
 */
@ApiTags('Alerts')
@Controller('alerts')
@UsePipes(queryValidationPipe)
export class AlertsController implements BeforeApplicationShutdown {
  private readonly open = new Set<Subscription>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: AidwatchMetrics,
    private readonly alerts: AlertsService,
    private readonly tenancy: TenancyService,
  ) {}

  /** Ends open streams so the HTTP server can close (clients reconnect with Last-Event-ID). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }

  /** Judges every event type alike, by its alert (a `cleared` by the severity of the flag it clears). */
  private async passes(event: StoredEvent, filter: AlertFilter, principal: ReturnType<typeof principalOf>) {
    const facts = await this.alerts.factsOf(event);
    if (!facts) return principal.tenant === undefined && Object.values(filter).every((v) => v === undefined);
    return this.tenancy.maySee(principal, facts.labels) && filterMatches(filter, facts);
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Server-Sent Events of flag and alert lifecycle events; resumable with Last-Event-ID',
  })
  async stream(@Req() req: Request, @Res() res: Response, @Query() query: AlertStreamQuery): Promise<void> {
    const after = req.header('last-event-id') || query.after || undefined;
    const filter = alertFilterOf(query);
    const errors = filterErrors(filter);
    if (errors.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', errors);
    const principal = principalOf(req);
    let subscription: Subscription;
    try {
      subscription = this.store.subscribeToAll({
        after,
        filter: { eventTypePrefixes: ['aidwatch.flag.', ALERT_EVENT_PREFIX] },
      });
    } catch (error) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid resume position', [
        { field: req.header('last-event-id') ? 'Last-Event-ID' : 'after', message: (error as Error).message },
      ]);
    }
    this.open.add(subscription);
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
    try {
      for await (const event of subscription) {
        if (!(await this.passes(event, filter, principal))) continue;
        const frame = `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
        if (!res.write(frame)) await Promise.race([new Promise((r) => res.once('drain', r)), closed]);
      }
    } catch (error) {
      res.write(`event: error\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
    } finally {
      clearInterval(heartbeat);
      this.open.delete(subscription);
      this.metrics.alertSubscribers.dec();
      res.end();
    }
  }
}
