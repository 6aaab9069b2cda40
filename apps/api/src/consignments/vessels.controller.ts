import { Controller, Get, HttpStatus, Inject, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { seesConsignment, seesFlag } from '@aidwatch/access';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { Allow, ApiError, ApiJsonResponse, ApiSummary } from '@aidwatch/runtime';
import { AlertsService } from '../alerts/alerts.service';
import { VesselSchema } from '../shared/api-schemas';
import { callerOf } from '../caller/principal';
import { ReadModelService } from '../caller/read-model.service';
import { RedactionService } from '../caller/redaction.service';
import { TenancyService } from '../caller/tenancy.service';
import { vesselStreamSummary } from '@aidwatch/projections';

/** Flags about one vessel an answer lists at most (the newest kept). */
const MAX_VESSEL_FLAGS = 500;

/**
 * One vessel as the console's vessel page shows it: identity, track, the flags about it, the alerts naming
 * it (an encounter's alert names both vessels) and the consignments it carries.
 */
@Controller('vessels')
@Allow('dashboard', 'operator')
export class VesselsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: ReadModelService,
    private readonly alerts: AlertsService,
    private readonly tenancy: TenancyService,
    private readonly redaction: RedactionService,
  ) {}

  /**
   * `GET /vessels/:mmsi`. 400 unless `mmsi` is 9 digits; 404 when nothing is known of it, or (for a
   * tenant-bound caller) when it carries none of the caller's consignments and no alert of theirs names it.
   * A tenant sees its own consignments only, and flags and alerts redacted as everywhere else; the
   * track, reported identity, and flags and alerts about the vessel only within its carriage windows on
   * it (`TenancyService.vesselWindows`: from its consignments' load or departure on the vessel to their
   * discharge or handover, or on while still aboard, widened by `CARRIAGE_MARGIN_MS`).
   */
  @Get(':mmsi')
  @ApiSummary(
    'One vessel: identity, track ([lon, lat, time]), flags about it, alerts naming it, consignments it carries',
  )
  @ApiJsonResponse(200, VesselSchema, 'the vessel as the caller may see it')
  async get(@Req() req: Request, @Param('mmsi') mmsi: string) {
    if (!/^\d{9}$/.test(mmsi))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', [
        { field: 'mmsi', message: 'mmsi must be 9 digits' },
      ]);
    const caller = callerOf(req);
    const scope = caller.scope;
    const tenantOf = this.readModel.tenantOf;
    const projection = this.readModel.projection;
    const redact = this.redaction.forCaller(caller);

    const consignments = [];
    let name: string | undefined;
    for (const id of projection.consignmentIds()) {
      const view = projection.consignment(id);
      if (view?.vessel?.mmsi !== mmsi) continue;
      name ??= view.vessel.name;
      if (!seesConsignment(scope, id, tenantOf)) continue;
      consignments.push({
        consignmentId: view.consignmentId,
        exemptionId: view.exemptionId,
        status: view.status,
        risk: view.risk,
        originPort: view.originPort,
        destinationPort: view.destinationPort,
      });
    }
    // A tenant sees the vessel only within its carriage windows on it (undefined: an operator, always).
    const windows = this.tenancy.vesselWindows(caller, mmsi);
    const flags = projection.flags
      .query({
        mmsi,
        limit: 10_000,
        visible:
          scope.kind === 'all'
            ? undefined
            : (flag) =>
                seesFlag(scope, flag, tenantOf, this.readModel.registrationOrderOf) &&
                (flag.subject.kind !== 'vessel' || TenancyService.within(windows, flag.raisedAt)),
      })
      .items.slice(-MAX_VESSEL_FLAGS)
      .map((r) =>
        redact({ ...r.flag, status: r.status, clearedAt: r.clearedAt ?? null }, r.flag.consignmentIds),
      );
    const alerts = this.alerts.book
      .visibleTo(caller.tenant)
      .filter(
        (a) =>
          (a.labels.vessel.includes(mmsi) || a.flag.observed?.partnerMmsi === mmsi) &&
          this.tenancy.maySeeOnVessel(caller, a, windows),
      )
      .sort((a, b) => b.lastRaisedAt.localeCompare(a.lastRaisedAt))
      .map((a) =>
        redact(
          {
            alertId: a.alertId,
            rule: a.rule,
            severity: a.severity,
            status: this.alerts.book.viewOf(a, caller.tenant).status,
            vessels: a.labels.vessel,
            consignmentIds: a.consignmentIds,
            explanation: a.flag.explanation,
            lastRaisedAt: a.lastRaisedAt,
          },
          a.consignmentIds,
        ),
      );
    const { track, identity, names } = await vesselStreamSummary(this.store, mmsi, (at) =>
      TenancyService.within(windows, at),
    );
    const known = consignments.length > 0 || alerts.length > 0 || flags.length > 0;
    if (!known && (scope.kind !== 'all' || (track.length === 0 && name === undefined)))
      throw new ApiError(HttpStatus.NOT_FOUND, `vessel ${mmsi} not found`);
    return {
      mmsi,
      ...((identity.name ?? name) ? { name: identity.name ?? name } : {}),
      ...(names.length > 0 ? { names } : {}),
      ...(identity.imo ? { imo: identity.imo } : {}),
      ...(identity.callsign ? { callsign: identity.callsign } : {}),
      ...(identity.flag ? { flagState: identity.flag } : {}),
      track,
      flags,
      alerts,
      consignments,
    };
  }
}
