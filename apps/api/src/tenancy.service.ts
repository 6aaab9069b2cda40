import { Injectable } from '@nestjs/common';
import { carriageWindows, meets, widened, within, type TimeWindow } from '@aidwatch/access';
import type { Alert, AlertLabels } from '@aidwatch/alerts';
import type { Caller } from './principal';
import { ReadModelService } from './read-model.service';

/** What `maySee` reads of an alert: its labels, and for a vessel alert its subject and event times. */
export type VisibleAlert = { labels: Pick<AlertLabels, 'organisation'> } & Partial<
  Pick<Alert, 'firstRaisedAt' | 'lastRaisedAt'> & { flag: Pick<Alert['flag'], 'subject' | 'observed'> }
>;

/**
 * Whose alerts, silences and subscriptions a caller may see: operators all; dashboards and monitors
 * those of their organisation (an alert belongs to the organisations of its `organisation` label:
 * `flagOrganisations`), and an alert about a vessel only while it fired within the organisation's carriage
 * windows on that vessel (`carriageWindows`, widened by `CARRIAGE_MARGIN_MS`); anyone else none.
 */
@Injectable()
export class TenancyService {
  constructor(private readonly readModel: ReadModelService) {}

  maySee(caller: Caller, alert: VisibleAlert | Pick<AlertLabels, 'organisation'>): boolean {
    if (caller.scope.kind === 'all') return true;
    if (caller.scope.kind !== 'tenant') return false;
    const tenant = caller.scope.tenant;
    const labels = 'labels' in alert ? alert.labels : alert;
    if (!labels.organisation.includes(tenant)) return false;
    if (!('labels' in alert) || alert.flag?.subject.kind !== 'vessel') return true;
    const from = Date.parse(alert.firstRaisedAt ?? '') - spanOf(alert.flag.observed);
    const to = Date.parse(alert.lastRaisedAt ?? '');
    if (!Number.isFinite(from) || !Number.isFinite(to)) return false;
    return meets(this.windowsOf(tenant, alert.flag.subject.id), from, to);
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
