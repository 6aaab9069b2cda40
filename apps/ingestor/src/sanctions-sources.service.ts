import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import {
  describeSanctionsImport,
  EventIntake,
  importSanctionsList,
  readSanctionsSource,
  type SanctionsImportReport,
} from '@aidwatch/intake';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { APP_CONFIG, LOGGER } from '@aidwatch/runtime';

/** One scheduled read of one source: its report, or why it failed. */
export type SanctionsSourceOutcome =
  { url: string; ok: true; report: SanctionsImportReport } | { url: string; ok: false; error: string };

/**
 * Imports the lists of `SANCTIONS_SOURCES` (`file://` or `https://`) at start and every
 * `SANCTIONS_FETCH_HOURS`, as `aidwatch sanctions import` does: an unchanged list appends nothing, a list
 * that drops a vessel revokes its designation. A list without vessels that would revoke every listing is
 * refused (logged, counted `failed`), so a truncated download does not delist a whole list.
 */
@Injectable()
export class SanctionsSourcesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SanctionsSourceOutcome[]> | undefined;
  /** The outcome of the last completed run, per source. */
  last: SanctionsSourceOutcome[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly intake: EventIntake,
    private readonly metrics: AidwatchMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const sanctions = this.config.intake.sanctions;
    if (!sanctions) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), sanctions.everyMs);
  }

  /** Reads every source once, one after the other; a run already under way is joined, not repeated. */
  runOnce(): Promise<SanctionsSourceOutcome[]> {
    this.running ??= this.readAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async readAll(): Promise<SanctionsSourceOutcome[]> {
    const log = this.logger.child({ component: 'sanctions-sources' });
    const outcomes: SanctionsSourceOutcome[] = [];
    for (const url of this.config.intake.sanctions?.urls ?? []) {
      try {
        const report = await importSanctionsList(this.store, this.intake, await readSanctionsSource(url));
        this.metrics.sanctionsImports.inc({
          list: report.list,
          outcome: report.appended > 0 ? 'changed' : 'unchanged',
        });
        log.info({ url, ...report, skipped: report.skipped.length }, describeSanctionsImport(report));
        outcomes.push({ url, ok: true, report });
      } catch (error) {
        this.metrics.sanctionsImports.inc({ list: 'unknown', outcome: 'failed' });
        log.warn({ url, err: error }, 'sanctions list could not be imported');
        outcomes.push({ url, ok: false, error: (error as Error).message });
      }
    }
    this.last = outcomes;
    return outcomes;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
