import { Controller, Get, HttpStatus, Inject, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  EventTypes,
  StreamNames,
  type CloudEvent,
  type ConsignmentRegisteredData,
  type ExemptionGrantedData,
} from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import { Allow, ApiError, ApiJsonResponse } from '@aidwatch/runtime';
import { carriageWindows, widened, type TimeWindow } from '@aidwatch/access';
import { AlertsService } from '../alerts/alerts.service';
import { callerOf } from '../caller/principal';
import { spanOf, TenancyService } from '../caller/tenancy.service';
import { ReadModelService } from '../caller/read-model.service';
import { RedactionService } from '../caller/redaction.service';
import { ConsignmentMapSchema } from '../shared/api-schemas';
import { vesselNameAt, vesselStreamSummary } from '@aidwatch/projections';

/**
 * What the console's map shows for one consignment: the carrier's track, the tracks of vessels it met
 * (encounter partners), ports, the exemption's sites, and the consignment's alerts with their places.
 */
@ApiTags('Consignments')
@ApiBearerAuth()
@Controller('consignments')
@Allow('monitor', 'dashboard', 'operator')
export class ConsignmentMapController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly alerts: AlertsService,
    private readonly tenancy: TenancyService,
    private readonly redaction: RedactionService,
    private readonly readModel: ReadModelService,
  ) {}

  @Get(':id/map')
  @ApiOperation({
    summary:
      'Track, encounter partners, ports, sites and alerts of a consignment (GeoJSON-order coordinates: [lon, lat])',
  })
  @ApiJsonResponse(200, ConsignmentMapSchema, 'what a map draws, [lon, lat] coordinates')
  async map(@Req() req: Request, @Param('id') id: string) {
    const facts = await this.store.readStream(StreamNames.consignment(id));
    const registered = facts.find((e) => e.type === EventTypes.ConsignmentRegistered)?.data as
      CloudEvent<string, ConsignmentRegisteredData> | undefined;
    if (!registered) throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    const owner = this.alerts.book.ownerOf(id);
    if (
      !this.tenancy.maySee(callerOf(req), {
        organisation: owner?.organisation ? [owner.organisation] : [],
      })
    )
      throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${id} not found`);
    const { data: c } = registered;
    const exemption = (await this.store.readStream(StreamNames.exemption(c.exemptionId))).find(
      (e) => e.type === EventTypes.ExemptionGranted,
    )?.data as CloudEvent<string, ExemptionGrantedData> | undefined;

    const caller = callerOf(req);
    const redact = this.redaction.forCaller(caller);
    // The alerts of this consignment the caller may see (a document flag only its first citer's; a vessel
    // alert only within the caller's carriage windows on that vessel).
    const windowsOn = new Map<string, TimeWindow[] | undefined>();
    const vesselWindows = (mmsi: string) => {
      if (!windowsOn.has(mmsi)) windowsOn.set(mmsi, this.tenancy.vesselWindows(caller, mmsi));
      return windowsOn.get(mmsi);
    };
    const seen = this.alerts.book
      .visibleTo(caller.tenant)
      .filter(
        (a) =>
          a.consignmentIds.includes(id) &&
          (a.flag.subject.kind === 'vessel'
            ? this.tenancy.maySeeOnVessel(caller, a, vesselWindows(a.flag.subject.id))
            : this.tenancy.maySee(caller, a.labels)),
      );
    const alerts = seen.map((a) => ({
      alertId: a.alertId,
      rule: a.rule,
      severity: a.severity,
      status: this.alerts.book.viewOf(a, caller.tenant).status,
      location: a.location ? [a.location.lon, a.location.lat] : null,
      explanation: redact(a.flag.explanation, a.consignmentIds),
      raisedAt: a.firstRaisedAt,
      // When the flag whose explanation is shown was raised (a re-worded flag is newer than the alert).
      flagRaisedAt: a.flag.raisedAt,
      partnerMmsi: typeof a.flag.observed?.partnerMmsi === 'string' ? a.flag.observed.partnerMmsi : null,
    }));
    // The vessels the carrier met: the partner each encounter flag names, and every vessel of an encounter
    // alert (one alert groups both vessels' flags of a meeting); the carrier itself is not a partner.
    const partners = [
      ...new Set(
        seen
          .flatMap((a) => [
            ...(typeof a.flag.observed?.partnerMmsi === 'string' ? [a.flag.observed.partnerMmsi] : []),
            ...(a.rule === 'encounter' ? a.labels.vessel : []),
          ])
          .filter((mmsi) => mmsi !== c.vessel.mmsi),
      ),
    ];
    // A tenant-bound caller sees the carrier's track within this consignment's carriage windows on it, and
    // a partner's only within the meetings that name it (each alert's span, widened by the margin).
    const tenantBound = caller.scope.kind !== 'all';
    const carrierWindows = tenantBound ? this.carriage(id, c.vessel.mmsi) : undefined;
    const partnerWindows = (mmsi: string): TimeWindow[] | undefined =>
      tenantBound
        ? widened(
            seen
              .filter(
                (a) =>
                  a.flag.observed?.partnerMmsi === mmsi ||
                  (a.rule === 'encounter' && a.labels.vessel.includes(mmsi)),
              )
              .map((a) => ({
                from: Date.parse(a.firstRaisedAt) - spanOf(a.flag.observed),
                to: Date.parse(a.lastRaisedAt),
              })),
          )
        : undefined;
    // Every step of the consignment's own stream, its registration first.
    const steps = facts.map((e) => {
      const ce = e.data as CloudEvent<
        string,
        { at?: string; port?: string; siteId?: string; lat?: number; lon?: number }
      >;
      return {
        type: e.type,
        at: ce.data.at ?? ce.time,
        port: ce.data.port,
        siteId: ce.data.siteId,
        location: ce.data.lat !== undefined ? [ce.data.lon, ce.data.lat] : null,
      };
    });
    // A partner is named as it was called when the carrier met it (the first alert naming it on this
    // consignment), else as of the voyage's last recorded step: a later rename does not rewrite the past.
    const metAt = (mmsi: string) =>
      alerts
        .filter((a) => a.partnerMmsi === mmsi || a.rule === 'encounter')
        .map((a) => a.raisedAt)
        .sort()[0] ??
      steps
        .map((s) => s.at)
        .sort()
        .at(-1) ??
      registered.time;
    const used = new Set([
      c.originPort,
      c.destinationPort,
      ...steps.flatMap((s) => (s.port ? [s.port] : [])),
    ]);
    return {
      consignmentId: id,
      vessel: { ...c.vessel, track: await this.track(c.vessel.mmsi, carrierWindows) },
      partners: await Promise.all(
        partners.map(async (mmsi) => {
          const windows = partnerWindows(mmsi);
          const { track, identity, names } = await vesselStreamSummary(this.store, mmsi, (at) =>
            TenancyService.within(windows, at),
          );
          const name = vesselNameAt(names, metAt(mmsi)) ?? identity.name;
          return {
            mmsi,
            ...(name ? { name } : {}),
            ...(identity.name && identity.name !== name ? { currentName: identity.name } : {}),
            track,
          };
        }),
      ),
      route: c.route?.map((p) => [p.lon, p.lat]) ?? [],
      ports: defaultPorts()
        .filter((p) => used.has(p.locode))
        .map((p) => ({ locode: p.locode, name: p.name, location: [p.lon, p.lat] })),
      sites: (exemption?.data.sites ?? []).map((s) => ({
        siteId: s.siteId,
        name: s.name,
        location: [s.lon, s.lat],
      })),
      steps,
      alerts,
    };
  }

  private async track(
    mmsi: string,
    windows: readonly TimeWindow[] | undefined,
  ): Promise<Array<[number, number, string]>> {
    return (await vesselStreamSummary(this.store, mmsi, (at) => TenancyService.within(windows, at))).track;
  }

  /** The widened carriage windows of consignment `id` on vessel `mmsi` (see `carriageWindows`). */
  private carriage(id: string, mmsi: string): TimeWindow[] {
    const facts = this.readModel.projection.consignmentFacts(id);
    if (!facts) return [];
    return widened(
      carriageWindows(
        {
          registeredMmsi: [...facts.registrations.values()][0]?.vessel.mmsi,
          loads: facts.loads.values(),
          departures: facts.departures.values(),
          discharges: facts.discharges.values(),
          custody: facts.custody.values(),
        },
        mmsi,
      ),
    );
  }
}
