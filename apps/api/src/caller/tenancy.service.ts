import { Injectable } from '@nestjs/common';
import { carriageWindows, meets, widened, within, type TimeWindow } from '@aidwatch/access';
import type { Alert, AlertLabels } from '@aidwatch/alerts';
import type { Caller } from './principal';
import { ReadModelService } from './read-model.service';

/** What `maySee` reads of an alert: its labels, and for a vessel alert its subject and event times. */
export type VisibleAlert = Pick<Alert, 'firstRaisedAt' | 'lastRaisedAt'> & {
  labels: Pick<AlertLabels, 'organisation'>;
  flag: Pick<Alert['flag'], 'observed'>;
};

/**
 * Whose alerts, silences and subscriptions a caller may see: operators all; dashboards and monitors
 * those of their organisation (an alert belongs to the organisations of its `organisation` label:
 * `flagOrganisations`); anyone else none. On the vessel page and the map, a vessel's track and the alerts
 * about it only within the organisation's carriage windows on that vessel (`carriageWindows`, widened by
 * `CARRIAGE_MARGIN_MS`).
 */
@Injectable()
export class TenancyService {
  constructor(private readonly readModel: ReadModelService) {}

  maySee(caller: Caller, labels: Pick<AlertLabels, 'organisation'>): boolean {
    if (caller.scope.kind === 'all') return true;
    return caller.scope.kind === 'tenant' && labels.organisation.includes(caller.scope.tenant);
  }

  /**
   * `maySee`, and for an alert about a vessel also that it fired within `windows`, the caller's carriage
   * windows on that vessel (`vesselWindows`; undefined: an operator, always): the rule of the vessel page and the consignment map, where
   * a vessel's history is shown. (Elsewhere a vessel alert is shown by the consignments its flags name,
   * which detection takes from the same paperwork: the aid on board at each flag's time.)
   */
  maySeeOnVessel(caller: Caller, alert: VisibleAlert, windows: readonly TimeWindow[] | undefined): boolean {
    if (!this.maySee(caller, alert.labels)) return false;
    if (windows === undefined) return true;
    const from = Date.parse(alert.firstRaisedAt) - spanOf(alert.flag.observed);
    const to = Date.parse(alert.lastRaisedAt);
    return Number.isFinite(from) && Number.isFinite(to) && meets(windows, from, to);
  }

  /**
   * The times (ms) in which `caller` may see vessel `mmsi`'s track, flags and alerts: undefined for every
   * time (operators), else the widened carriage windows of the caller's organisation's consignments on
   * it (none: never).
   */
  vesselWindows(caller: Caller, mmsi: string): TimeWindow[] | undefined {
    if (caller.scope.kind === 'all') return undefined;
    if (caller.scope.kind !== 'tenant') return [];
    return this.windowsOf(caller.scope.tenant, mmsi);
  }

  /** Whether event time `at` (RFC 3339 or ms) lies in `windows` (undefined: every time). */
  static within(windows: readonly TimeWindow[] | undefined, at: string | number): boolean {
    if (windows === undefined) return true;
    const ms = typeof at === 'number' ? at : Date.parse(at);
    return Number.isFinite(ms) && within(windows, ms);
  }

  /** The widened carriage windows of organisation `tenant`'s consignments on vessel `mmsi`. */
  windowsOf(tenant: string, mmsi: string): TimeWindow[] {
    const projection = this.readModel.projection;
    const windows: TimeWindow[] = [];
    for (const id of projection.consignmentIds()) {
      if (this.readModel.tenantOf(id) !== tenant) continue;
      const facts = projection.consignmentFacts(id);
      if (!facts) continue;
      const registeredMmsi = [...facts.registrations.values()][0]?.vessel.mmsi;
      if (registeredMmsi !== mmsi && ![...facts.loads.values()].some((l) => l.vesselMmsi === mmsi)) continue;
      windows.push(
        ...carriageWindows(
          {
            registeredMmsi,
            loads: facts.loads.values(),
            departures: facts.departures.values(),
            discharges: facts.discharges.values(),
            custody: facts.custody.values(),
          },
          mmsi,
        ),
      );
    }
    return widened(windows);
  }

  /** Whether a tenant-owned record (silence, subscription) is the caller's. */
  owns(caller: Caller, tenant: string | undefined): boolean {
    if (caller.scope.kind === 'all') return true;
    return caller.scope.kind === 'tenant' && tenant === caller.scope.tenant;
  }
}

const MS_PER_HOUR = 3_600_000;

/** How long before its event time a flag's observation began (`observed.hours`, e.g. an encounter's), ms. */
export function spanOf(observed: Record<string, unknown> | undefined): number {
  const hours = observed?.hours;
  return typeof hours === 'number' && Number.isFinite(hours) && hours > 0 ? hours * MS_PER_HOUR : 0;
}
