import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { Allow, Public } from '../access/access.decorators';
import { HealthRegistry } from '../health.registry';
import { ApiResponse } from '@nestjs/swagger';
import { ApiJsonResponse, ApiSummary, type ApiSchema } from './api-docs';

/** The answer of `GET /health`. */
const HealthSchema: ApiSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, detail: { type: 'object' } },
      },
    },
  },
};

@Controller()
export class ObservabilityController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: AidwatchMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    health.register('eventStore', async () => ({
      ok: true,
      detail: { adapter: this.store.name, head: await this.store.headPosition() },
    }));
  }

  @Get('health')
  @Public()
  @ApiSummary(
    'Health of the store, projections and Kafka: 200 ok, 503 when a check fails (no credential needed)',
    { public: true },
  )
  @ApiJsonResponse(200, HealthSchema, 'every check ok')
  @ApiJsonResponse(503, HealthSchema, 'a check failed: its detail says which')
  async getHealth(@Res() res: Response): Promise<void> {
    const report = await this.health.run();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Allow('operator')
  @Header('Cache-Control', 'no-store')
  @ApiSummary('Prometheus metrics (text exposition format), operators only')
  @ApiResponse({
    status: 200,
    description: 'the metrics',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async getMetrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.text());
  }
}
