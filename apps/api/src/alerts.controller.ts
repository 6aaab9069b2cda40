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
import type { Flag, FlagClearedData } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore, type StoredEvent, type Subscription } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { ApiError, queryValidationPipe } from '@aidwatch/runtime';
import { AlertStreamQuery } from './flags.query';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /alerts/stream`: flag events as Server-Sent Events. Each event's `id:` is its store position, so a
 * client reconnecting with `Last-Event-ID` (or `?after=`) resumes exactly after the last event it saw.
 */
@Controller('alerts')
@UsePipes(queryValidationPipe)
export class AlertsController implements BeforeApplicationShutdown {
  private readonly open = new Set<Subscription>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: AidwatchMetrics,
  ) {}

  /** Ends open streams so the HTTP server can close (clients reconnect with Last-Event-ID). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }

  @Get('stream')
  async stream(@Req() req: Request, @Res() res: Response, @Query() query: AlertStreamQuery): Promise<void> {
    const after = req.header('last-event-id') || query.after || undefined;
    let subscription: Subscription;
    try {
      subscription = this.store.subscribeToAll({ after, filter: { eventTypePrefixes: ['aidwatch.flag.'] } });
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
        if (!matches(event, query)) continue;
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

function matches(event: StoredEvent, query: AlertStreamQuery): boolean {
  const data = (event.data as { data: Partial<Flag> & Partial<FlagClearedData> }).data;
  if (query.rule && data.rule !== query.rule) return false;
  if (query.severity && 'severity' in data && data.severity !== query.severity) return false;
  if (query.consignmentId && !data.consignmentIds?.includes(query.consignmentId)) return false;
  return true;
}
