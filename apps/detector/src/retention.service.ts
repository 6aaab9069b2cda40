import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  archiveRawPositions,
  CitedEvidence,
  prunableStoreOf,
  RetentionError,
  type RetentionReport,
} from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, DETECTION_PROJECTION } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { DetectorLeaseService } from './detector-lease.service';

/** How often retention runs after the run at start. */
export const RETENTION_EVERY_MS = 3_600_000;

/**
 * Storage retention of raw AIS positions (AIS_RETENTION_DAYS > 0): at start, then every hour, moves the
 * positions older than the setting that detection has judged (its checkpoint), no flag cites and that are
 * not their stream's newest into archive files under AIS_ARCHIVE_DIR (docs/audit.md, "Retention of raw
 * positions"). Only the active detector runs it (a leased activity, like detection), so two detectors on
 * PostgreSQL never archive the same positions into two directories. Embedded and PostgreSQL stores: on
 * another store it logs why and does nothing.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionReport | undefined> | undefined;
  private abort = new AbortController();
  /** Evidence flags cite, read once and then caught up each run. */
  private readonly cited = new CitedEvidence();
  private last: { at: string; archived: number; error?: string; finding?: boolean } | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly metrics: AidwatchMetrics,
    health: HealthRegistry,
    private readonly lease: DetectorLeaseService,
  ) {
    // A missing or altered archive stops retention until an operator looks: that is worth a degraded health.
    if (config.retention.aisDays > 0)
      health.register('retention', () => ({ ok: this.last?.finding !== true, detail: { ...this.last } }));
  }

  onApplicationBootstrap(): void {
    if (this.config.retention.aisDays <= 0) return;
    if (!prunableStoreOf(this.store)) {
      this.logger.error(
        { store: this.store.name },
        'AIS_RETENTION_DAYS is set but this store cannot delete archived events: retention is off',
      );
      return;
    }
    this.lease.register({
      name: 'retention',
      checkpoints: [],
      start: () => {
        this.abort = new AbortController();
        void this.runNow();
        this.timer = setInterval(() => void this.runNow(), RETENTION_EVERY_MS);
        this.timer.unref();
      },
      stop: () => this.halt(),
    });
  }

  /** Stops the schedule and the run under way (it stops between pages; what it archived stays recorded). */
  private async halt(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
  }

  /** One run (or the one under way): archives what is due and logs it; never throws. */
  runNow(): Promise<RetentionReport | undefined> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.halt();
  }

  private async run(): Promise<RetentionReport | undefined> {
    const { aisDays, archiveDir } = this.config.retention;
    try {
      const report = await archiveRawPositions(this.store, {
        archiveDir,
        olderThanDays: aisDays,
        judgedUpTo: await this.checkpoints.positionOf(DETECTION_PROJECTION),
        cited: this.cited,
        signal: this.abort.signal,
      });
      const deleted = report.archived + report.completed.reduce((n, c) => n + c.deleted, 0);
      this.metrics.positionsArchived.inc(deleted);
      this.last = { at: new Date().toISOString(), archived: report.archived };
      const summary = {
        archived: report.archived,
        files: report.files.map((f) => f.file),
        completed: report.completed,
        keptCited: report.kept.cited,
        keptNewest: report.kept.newest,
        before: report.before,
        upToPosition: report.upToPosition,
        archiveDir,
      };
      if (deleted > 0) this.logger.info(summary, 'raw AIS positions archived');
      else this.logger.debug(summary, 'retention: no raw AIS position to archive');
      return report;
    } catch (error) {
      const finding = error instanceof RetentionError;
      this.last = { at: new Date().toISOString(), archived: 0, error: (error as Error).message, finding };
      this.logger.error({ err: error }, 'retention of raw AIS positions failed');
      return undefined;
    }
  }
}
