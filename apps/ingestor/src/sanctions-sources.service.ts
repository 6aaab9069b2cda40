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
import { detectSanctionsFormat, isOfacAltCsv } from '@aidwatch/sanctions';
import { APP_CONFIG, LOGGER } from '@aidwatch/runtime';

/** One scheduled read of one source: its report, or why it failed. */
export type SanctionsSourceOutcome =
  | { url: string; ok: true; report: SanctionsImportReport }
  /** OFAC's ALT.CSV: read for the aliases of the SDN.CSV named beside it, not a list of its own. */
  | { url: string; ok: true; aliasesFor: 'OFAC-SDN' }
  | { url: string; ok: false; error: string };

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

  /** One outcome per source, in the order of `SANCTIONS_SOURCES`. */
  private async readAll(): Promise<SanctionsSourceOutcome[]> {
    const log = this.logger.child({ component: 'sanctions-sources' });
    const urls = this.config.intake.sanctions?.urls ?? [];
    const contents = new Map<string, Buffer>();
    const outcomes = new Map<string, SanctionsSourceOutcome>();
    for (const url of urls) {
      try {
        contents.set(url, await readSanctionsSource(url));
      } catch (error) {
        outcomes.set(url, this.failed(log, url, error));
      }
    }
    // OFAC's ALT.CSV named beside SDN.CSV gives its vessels their aliases, as `--alt` does by hand.
    const altUrl = [...contents].find(([, content]) => isOfacAltCsv(content))?.[0];
    const alt = altUrl === undefined ? undefined : contents.get(altUrl);
    for (const [url, content] of contents) {
      if (url === altUrl) {
        outcomes.set(url, { url, ok: true, aliasesFor: 'OFAC-SDN' });
        continue;
      }
      try {
        // The format shows in the first bytes: a list of tens of megabytes is not decoded here.
        const csv =
          alt !== undefined &&
          detectSanctionsFormat(content.subarray(0, 4096).toString('utf8')) === 'ofac-sdn-csv';
        const report = await importSanctionsList(
          this.store,
          this.intake,
          content,
          csv ? { ofacAliases: alt } : {},
        );
        this.metrics.sanctionsImports.inc({
          list: report.list,
          outcome: report.appended > 0 ? 'changed' : 'unchanged',
        });
        log.info({ url, ...report, skipped: report.skipped.length }, describeSanctionsImport(report));
        outcomes.set(url, { url, ok: true, report });
      } catch (error) {
        outcomes.set(url, this.failed(log, url, error));
      }
    }
    this.last = urls.map((url) => outcomes.get(url)!);
    return this.last;
  }

  private failed(log: Logger, url: string, error: unknown): SanctionsSourceOutcome {
    this.metrics.sanctionsImports.inc({ list: 'unknown', outcome: 'failed' });
    // The reason, not a stack trace: a list that cannot be read is an operator's matter, not a fault.
    log.warn({ url, error: (error as Error).message }, 'sanctions list could not be imported');
    return { url, ok: false, error: (error as Error).message };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
