import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { READ_MODEL } from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import {
  CheckpointStore,
  type LeasedCheckpointWriter,
  ProjectionRunner,
  ReadModelProjection,
} from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { checkpointWriterFor } from '../shared/checkpoint-writer';

/**
 * Keeps the API's read model (consignments and flags) up to date from the store, blue/green: it serves the
 * version the checkpoint store marks active, and when `aidwatch rebuild` activates a new version (built
 * beside it from position zero) it catches that one up and switches to it without a gap.
 */
@Injectable()
export class ReadModelService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  projection: ReadModelProjection;
  runner: ProjectionRunner;
  private watch: NodeJS.Timeout | undefined;
  private switching: Promise<void> | undefined;
  private unwatchLag: (() => void) | undefined;
  /** On PostgreSQL: which API replica writes each runner's checkpoint now (one lease per projection name). */
  private readonly writers = new Map<ProjectionRunner, LeasedCheckpointWriter>();
  /** The implementing organisation of a consignment, as far as the read model has folded. */
  readonly tenantOf = (consignmentId: string): string | undefined =>
    this.projection.tenants.tenantOfConsignment(consignmentId);
  /** A consignment's place among first registrations in store order (see `flagOrganisations`). */
  readonly registrationOrderOf = (consignmentId: string): number | undefined =>
    this.projection.tenants.registrationOrderOf(consignmentId);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly metrics: AidwatchMetrics,
    health: HealthRegistry,
  ) {
    // The unversioned original until onModuleInit has read which version is active.
    this.projection = new ReadModelProjection(undefined);
    this.runner = this.runnerFor(this.projection);
    health.register('readModel', async () => {
      const status = this.runner.status();
      // Whether everything stored that the read model folds is folded (the store's head may be an event it
      // does not read, such as an audit checkpoint).
      const caughtUp = status.running && !(await this.runner.catchingUp().catch(() => true));
      return { ok: status.running, detail: { ...status, caughtUp } };
    });
  }

  /** Serves the version the checkpoint store marks active (read before any service starts). */
  async onModuleInit(): Promise<void> {
    const active = await this.checkpoints.activeVersion(READ_MODEL);
    if (active === this.projection.version) return;
    await this.closeWriter(this.runner); // never started
    this.projection = new ReadModelProjection(active);
    this.runner = this.runnerFor(this.projection);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
    // One series whichever version is served: the runner of the moment.
    this.unwatchLag = this.metrics.watchProjectionLag('read-model', () => this.runner.lagSeconds());
    this.watch = setInterval(() => void this.switchIfActivated(), this.config.checkpointEveryMs);
    this.watch.unref();
  }

  /** Switches to the version a rebuild activated, once it has caught up with the store. */
  switchIfActivated(): Promise<void> {
    this.switching ??= (async () => {
      const active = await this.checkpoints.activeVersion(READ_MODEL);
      if (active === undefined || active === this.projection.version) return;
      const green = new ReadModelProjection(active);
      const runner = this.runnerFor(green);
      runner.start();
      await runner.caughtUp(60_000);
      const blue = this.runner;
      this.projection = green;
      this.runner = runner;
      await blue.stop();
      await this.closeWriter(blue);
      this.logger.info(
        { from: blue.projection.name, to: green.name },
        'read model switched to the rebuilt version',
      );
    })()
      .catch((error: unknown) => this.logger.error({ err: error }, 'read model switch failed'))
      .finally(() => (this.switching = undefined));
    return this.switching;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watch);
    this.unwatchLag?.();
    await this.switching;
    await this.runner.stop();
    for (const runner of [...this.writers.keys()]) await this.closeWriter(runner);
  }

  private async closeWriter(runner: ProjectionRunner): Promise<void> {
    await this.writers.get(runner)?.close();
    this.writers.delete(runner);
  }

  /**
   * The runner of one version. Its checkpoint is written in parts (what changed, a subject at a time, so no
   * write holds the event loop for long); on PostgreSQL every API replica folds the read model and one at a
   * time writes the shared checkpoint (a lease, as for the alert book).
   */
  private runnerFor(projection: ReadModelProjection): ProjectionRunner {
    const writer = checkpointWriterFor(this.config, this.checkpoints, projection.name);
    const runner = new ProjectionRunner(this.store, this.checkpoints, projection, {
      checkpointEveryEvents: this.config.checkpointEveryEvents,
      checkpointEveryMs: this.config.checkpointEveryMs,
      ...(writer && { checkpointWriter: writer }),
      onProcessed: () => this.metrics.projectionEvents.inc({ projection: 'read-model' }),
      restartAfterMs: 1000,
      onError: (error, event) =>
        this.logger.error({ err: error, eventId: event?.id }, 'read model projection stopped'),
    });
    if (writer) this.writers.set(runner, writer);
    return runner;
  }
}
