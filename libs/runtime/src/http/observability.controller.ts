import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { Allow, Public } from '../access/access.decorators';
import { HealthRegistry } from '../health.registry';

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
  async getHealth(@Res() res: Response): Promise<void> {
    const report = await this.health.run();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Allow('operator')
  @Header('Cache-Control', 'no-store')
  async getMetrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.text());
  }
}
