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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs after the feature modules' hooks (their projections have written their last checkpoints): one line
   * saying what is committed — the store's head position and each projection's checkpoint — then closes.
   */
  async onApplicationShutdown(signal?: string): Promise<void> {
    try {
      this.logger.info(
        shutdownLine(await this.store.headPosition(), await this.checkpoints.committed(), signal),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'stopped; could not read what was committed');
    }
    await this.store.close();
    await this.checkpoints.close();
    await flushed(this.logger);
  }
}

/**
 * Resolves once the logger's buffered lines are written (at most `timeoutMs` later): the process ends by
 * re-raising the signal right after the shutdown hooks, and lines still in the asynchronous writer would be
 * lost — the shutdown line among them.
 */
export function flushed(logger: Logger, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * The shutdown line: the signal, the store's newest position (`empty` when it holds nothing) and each
 * projection's committed checkpoint position, e.g.
 * `stopped (SIGINT): store at position 1877; committed detection@1877, read-model-v3@1877`.
 */
export function shutdownLine(
  storeHead: string | null,
  checkpoints: ReadonlyArray<{ name: string; position: string }>,
  signal?: string,
): string {
  const committed = checkpoints.map((c) => `${c.name}@${c.position}`).join(', ');
  return (
    `stopped${signal ? ` (${signal})` : ''}: store ${storeHead === null ? 'empty' : `at position ${storeHead}`}; ` +
    (committed ? `committed ${committed}` : 'no checkpoint committed')
  );
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
