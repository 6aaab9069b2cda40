import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { serviceCheckpointStore, serviceEventStore } from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore } from '@aidwatch/projections';
import { AccessModule } from './access/access.module';
import { APP_CONFIG, LOGGER } from './tokens';

/** Process-wide services every AidWatch app shares: config, logger, metrics, event store, checkpoints. */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: AidwatchMetrics, useValue: new AidwatchMetrics() },
        { provide: EVENT_STORE, useFactory: () => serviceEventStore(config) },
        { provide: CheckpointStore, useFactory: () => serviceCheckpointStore(config) },
      ],
      exports: [APP_CONFIG, LOGGER, AidwatchMetrics, EVENT_STORE, CheckpointStore],
    };
  }

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.checkpoints.close();
  }
}

@Module({})
export class AidwatchRootModule {}

/** The root module of a process: the shared core plus the feature modules it runs. */
export function rootModule(
  config: AppConfig,
  logger: Logger,
  features: Array<DynamicModule | (new (...args: never[]) => unknown)>,
): DynamicModule {
  return {
    module: AidwatchRootModule,
    imports: [CoreModule.forRoot(config, logger), AccessModule.forRoot(config), ...features],
  };
}
