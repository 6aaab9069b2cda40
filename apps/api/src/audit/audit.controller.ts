import { existsSync } from 'node:fs';
import { Controller, Get, Inject } from '@nestjs/common';
import { verifyStore } from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { Allow, APP_CONFIG, ApiJsonResponse, ApiSummary } from '@aidwatch/runtime';
import { VerificationReportSchema } from '../shared/api-schemas';

/** Tamper evidence for operators (docs/audit.md). */
@Controller('audit')
@Allow('operator')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: AidwatchMetrics,
  ) {}

  /**
   * Recomputes every stream's hash chain and every checkpoint's Merkle root over the whole store, with the
   * retention archives of AIS_ARCHIVE_DIR read back when the directory exists: `{ok, events, streams,
   * checkpoints, latestRoot, broken, firstBroken: {streamId, revision, eventId, position, file?, reason} |
   * null, archived, fromArchives, archiveFiles?}`. 200 either way: the answer is the report. Each run sets
   * `aidwatch_audit_chain_intact` and counts `aidwatch_audit_verifications_total{result}`.
   */
  @Get('verify')
  @ApiSummary("Recompute every stream's hash chain and checkpoint Merkle root; names the first broken link")
  @ApiJsonResponse(200, VerificationReportSchema, 'the report, intact or not')
  async verify() {
    const dir = this.config.retention.archiveDir;
    // verifyStore reads the log as stored, under every layer.
    const report = await verifyStore(this.store, { archiveDir: existsSync(dir) ? dir : undefined });
    this.metrics.verified(report.ok);
    return report;
  }
}
