import {
  EventTypes,
  OwnershipEventTypes,
  OwnershipLedger,
  RawPositionEventTypes,
  typePrefixesFoldedBy,
  type OwnershipLedgerJson,
  type OwnershipTransferredData,
  type CloudEvent,
  type ConsignmentRegisteredData,
  type ExemptionGrantedData,
  type Flag,
  type FlagClearedData,
  type FlagSubject,
  type RuleId,
  type Severity,
  type VesselPositionData,
} from '@aidwatch/domain';
import {
  ALERT_EVENT_PREFIX,
  AlertEventTypes,
  SilenceEventTypes,
  type AlertLifecycleData,
  type AlertStatus,
  type AlertSummary,
} from './alert-events';
import { labelsOf, type AlertLabels, type ConsignmentOwner } from './alert-labels';
import type { AlertEventFacts, GeoPoint } from './alert-filter';
import { DefaultInhibitionRules, inhibitorsOf, type InhibitionRule } from './inhibition';
import { labelsSeenBy as labelsAsSeenBy } from './redaction';
import {
  silenceApplies,
  silencesMatching,
  silenceState,
  type Silence,
  type SilenceCreatedData,
  type SilenceExpiredData,
} from './silence';

/**
 * The detector's reason when a flag is replaced by one with newer evidence for the same problem; it may go
 * on after a colon with what the evidence was (`superseded by new evidence: aid on board`).
 */
export const SUPERSEDED_REASON = 'superseded by new evidence';

/** Whether a clear only replaces the flag by a newer one of the same problem. */
export const isSuperseded = (reason: string): boolean =>
  reason === SUPERSEDED_REASON || reason.startsWith(`${SUPERSEDED_REASON}:`);

/**
 * The detector's reasons when a flag is replaced only because the aid aboard its vessel changed (a
 * consignment's load, departure, discharge or registration was learnt: `FlagSink.relink`): the same problem
 * with the same evidence, naming other consignments. Not new evidence: it re-opens nothing.
 */
export const AID_ABOARD_CHANGED_REASONS: ReadonlySet<string> = new Set([
  `${SUPERSEDED_REASON}: aid on board`,
  `${SUPERSEDED_REASON}: aid not on board`,
]);

export type AlertHistoryType =
  'raised' | 'updated' | 'reopened' | 'cleared' | 'acknowledged' | 'resolved' | 'assigned' | 'commented';

export interface AlertHistoryEntry {
  type: AlertHistoryType;
  at: string;
  by: string;
  note?: string;
  flagId?: string;
  assignee?: string;
  /** The store event this entry comes from. */
  eventId: string;
  /** The organisation whose own view of a shared alert the action changed (`AlertLifecycleData.organisation`). */
  organisation?: string;
}

/** One organisation's own state of an alert it shares with others: what its actions changed. */
export interface OrganisationAlertState {
  status: AlertStatus;
  /** Its own latest assignee (absent: the alert's, if any). */
  assignee?: string;
}

/** One problem (rule + subject + situation), however often it is re-detected. Its id is the fingerprint. */
export interface Alert {
  alertId: string;
  rule: RuleId;
  severity: Severity;
  subject: FlagSubject;
  consignmentIds: string[];
  labels: AlertLabels;
  status: AlertStatus;
  location?: GeoPoint;
  assignee?: string;
  /** The newest flag of the problem (its explanation, observed values and evidence). */
  flag: Flag;
  flagIds: string[];
  openFlagIds: string[];
  /** How many flags (detections) the problem has had. */
  occurrences: number;
  firstRaisedAt: string;
  lastRaisedAt: string;
  /** How many lifecycle events its stream holds (the expected revision of the next one is this − 1). */
  lifecycleEvents: number;
  /** Its first entry and, of each scope (the alert's own, each organisation's view), the `MAX_ALERT_HISTORY - 1` newest (`record`). */
  history: AlertHistoryEntry[];
  /** Entries dropped between the first and the newest kept (absent: none); the store keeps every one. */
  historyOmitted?: number;
  /**
   * Organisation → its own state of this alert, for each organisation that acted on it while it was
   * shared with others (`AlertBook.viewOf`). The detector's clear resolves every view; new evidence
   * re-opens the views resolved by hand.
   */
  organisations?: Record<string, OrganisationAlertState>;
}

export type NotifyReason = 'new' | 'reopened' | 'resolved' | 'lifecycle' | 'duplicate' | 'no-change';

/** What one flag or lifecycle event means for its alert, and whether it is worth a notification. */
export interface EventClassification extends AlertEventFacts {
  eventId: string;
  alertId: string;
  reason: NotifyReason;
  silencedBy: string[];
  inhibitedBy: string[];
  /** True when a notification (webhook) is due: a change of the alert not muted by a silence or inhibition. */
  notify: boolean;
  /** A change worth notifying (not a re-detection or a superseded clear), before silences and inhibitions. */
  changed: boolean;
  /** The tenant of each silence in `silencedBy` (absent: an operator's silence). */
  silencing: Array<{ tenant?: string }>;
  /** The organisations of each alert in `inhibitedBy`. */
  inhibiting: string[][];
  /** A lifecycle event changing one organisation's view of a shared alert: that organisation. */
  organisation?: string;
}

/**
 * Whether an event is notified to a recipient (a webhook subscription): `recipient` its tenant, or
 * undefined for an operator's. A tenant's silence mutes only its own organisation's deliveries
 * (`silenceApplies`); an inhibiting alert mutes a tenant's delivery only when it is of that organisation;
 * an organisation's action on its own view of a shared alert is delivered to it and to operators only.
 */
export function notifiesRecipient(c: EventClassification, recipient: string | undefined): boolean {
  // A classification remembered before these fields existed: its overall verdict.
  if (c.changed === undefined) return c.notify;
  if (!c.changed) return false;
  // One organisation's action on its own view of a shared alert is its own business (and operators').
  if (c.organisation !== undefined && recipient !== undefined && recipient !== c.organisation) return false;
  if (c.silencing.some((s) => silenceApplies(s, recipient))) return false;
  return !c.inhibiting.some((orgs) => recipient === undefined || orgs.includes(recipient));
}

/** The stored events the book reads: the store's id, type, data (a CloudEvent) and recording time. */
export interface BookEvent {
  id: string;
  type: string;
  data: unknown;
  recordedAt: string;
  /**
   * Where the flag's vessel was at its event time, when the caller looked it up in the store (a reader
   * that does not fold every AIS position); used when the flag names no position or site of its own.
   */
  vesselPosition?: GeoPoint;
}

/**
 * Event types (and prefixes) the book folds: flags, lifecycle, silences, ownership transfers and the facts
 * labels and tracks come from — the catalogue rows whose `views` name `alert-book`.
 */
export const AlertBookEventPrefixes: string[] = typePrefixesFoldedBy('alert-book');

/**
 * The same without AIS positions, for a reader that locates flags by looking up the vessel's position in
 * the store instead (`BookEvent.vesselPosition`): far fewer events to read.
 */
export const AlertBookEventPrefixesWithoutPositions: string[] = AlertBookEventPrefixes.filter(
  (p) => !RawPositionEventTypes.has(p),
);

/** A vessel's track is kept at one point per 10 minutes of event time (Global Fishing Watch resamples so), newest 5,000. */
const TRACK_RESOLUTION_MS = 10 * 60_000;
const TRACK_MAX_POINTS = 5_000;

/**
 * History entries an alert keeps in memory for each scope of action — the alert's own entries (the detector's,
 * operators', those of an organisation it alone concerns), and each organisation's actions on its own view of
 * a shared alert — besides its first entry, which is always kept: the newest `MAX_ALERT_HISTORY - 1` of each
 * (see `AlertBook.record`).
 */
export const MAX_ALERT_HISTORY = 500;
/** [event time ms, lat, lon] */
type TrackPoint = [number, number, number];

interface Site extends GeoPoint {
  siteId: string;
}
interface BookSnapshot {
  alerts: Alert[];
  silences: Silence[];
  consignments: Array<[string, { exemptionId: string; mmsi?: string }]>;
  exemptions: Array<[string, { organisation: string; sites: Site[] }]>;
  tracks: Array<[string, TrackPoint[]]>;
  ownership?: OwnershipLedgerJson;
  /** Fingerprints grouped into another problem's alert (`groupedAlertId`), with that alert's id. */
  grouped?: Array<[string, string]>;
  /** Fingerprint → its newest flag (see `AlertBook.latest`). */
  latest?: Array<[string, LatestFlag]>;
}

/**
 * The part of a checkpoint in parts (`AlertBook.head`) that is not per subject: the ownership ledger and
 * the next alert's creation number.
 */
export interface BookHead {
  ownership: OwnershipLedgerJson;
  nextSeq: number;
}

/**
 * Key prefixes of a checkpoint's entries (`AlertBook.entry`): alert (`{ seq, alert }`, `seq` its creation
 * number, so a restored book lists alerts in the order they were created), silence (`{ seq, silence }`),
 * consignment, exemption, vessel track, grouped fingerprint, a fingerprint's latest flag.
 */
const EntryKinds = ['a', 's', 'c', 'e', 't', 'g', 'l'] as const;
type EntryKind = (typeof EntryKinds)[number];
const entryKey = (kind: EntryKind, id: string): string => `${kind}:${id}`;

/** A fingerprint's newest flag: its id and evidence, and whether it is open or was replaced. */
interface LatestFlag {
  flagId: string;
  evidence: string[];
  /**
   * `open`, `superseded` (cleared only to be replaced by newer evidence), `relinked` (replaced only because
   * the aid aboard changed: `AID_ABOARD_CHANGED_REASONS`) or `cleared`.
   */
  state: 'open' | 'superseded' | 'relinked' | 'cleared';
}

/** A flag's `observed.partnerMmsi` (the other vessel of an encounter), if it names one. */
const partnerOf = (flag: Flag): string | undefined =>
  typeof flag.observed?.partnerMmsi === 'string' ? flag.observed.partnerMmsi : undefined;

const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])].sort();

/**
 * Every alert, silence and the reference facts their labels need, folded from the store in order. Pure
 * and deterministic: silences are judged at each event's recording time, never the reader's clock.
 */
export class AlertBook {
  private readonly alerts = new Map<string, Alert>();
  private readonly silences = new Map<string, Silence>();
  private readonly consignments = new Map<string, { exemptionId: string; mmsi?: string }>();
  private readonly exemptions = new Map<string, { organisation: string; sites: Site[] }>();
  private readonly tracks = new Map<string, TrackPoint[]>();
  /** Fingerprint → id of the alert its flags were grouped into (see `groupedAlertId`). */
  private readonly grouped = new Map<string, string>();
  /**
   * Fingerprint → its newest flag. A flag that replaces its fingerprint's superseded flag without adding to
   * all of its evidence is an update of the same occurrence (a growing encounter re-measured, the aid on
   * board relinked), not another occurrence; one that keeps every piece and adds more (a second denial in
   * a row) is another occurrence.
   */
  private readonly latest = new Map<string, LatestFlag>();
  private ownership = new OwnershipLedger();
  /**
   * Ids of the silences in the order they were created. A silence's matchers never change (expiry only sets
   * its end), so what an alert is matched by changes only when a silence is created or the alert's labels
   * (or a matching organisation's view of them) change.
   */
  private readonly silenceLog: string[] = [];
  /**
   * Per alert, the silences (ids) whose matchers select it, whatever their time window: `key` is what the
   * answer depends on (the labels and each silence-holding organisation's view of them), `seen` how much of
   * `silenceLog` was matched. A new silence is matched against each alert once; a change of labels
   * re-matches that alert alone. Listing alerts thus does not evaluate every matcher of every silence.
   */
  private readonly matchCache = new Map<string, { key: string; seen: number; ids: string[] }>();
  /** The organisations holding silences, as of `silenceLog.length`. */
  private silenceTenants: { seen: number; tenants: Set<string> } = { seen: -1, tenants: new Set() };
  /** Each alert's creation number (its place in `alerts`), for checkpoints in parts. */
  private readonly alertSeq = new Map<string, number>();
  /** Alert ids by the organisations of their `organisation` label (`visibleTo`), and what each was indexed under. */
  private readonly byOrganisation = new Map<string, Set<string>>();
  private readonly organisationsOf = new Map<string, readonly string[]>();
  private nextSeq = 0;
  /** Entry keys (`entryKey`) changed since `takeChangedKeys` was last called. */
  private readonly changed = new Set<string>();

  constructor(private readonly inhibitionRules: readonly InhibitionRule[] = DefaultInhibitionRules) {}

  /** Folds one event; returns its classification for flag and lifecycle events, otherwise undefined. */
  apply(event: BookEvent): EventClassification | undefined {
    const cloudEvent = event.data as CloudEvent;
    switch (event.type) {
      case OwnershipEventTypes.Transferred:
        this.transferred(cloudEvent as CloudEvent<string, OwnershipTransferredData>);
        return undefined;
      case EventTypes.ConsignmentRegistered: {
        const d = cloudEvent.data as ConsignmentRegisteredData;
        this.ownership.apply(cloudEvent);
        this.consignments.set(d.consignmentId, { exemptionId: d.exemptionId, mmsi: d.vessel?.mmsi });
        this.changed.add(entryKey('c', d.consignmentId));
        return undefined;
      }
      case EventTypes.ExemptionGranted: {
        const d = cloudEvent.data as ExemptionGrantedData;
        this.ownership.apply(cloudEvent);
        this.exemptions.set(d.exemptionId, {
          organisation: d.implementingOrg,
          sites: d.sites.map((s) => ({ siteId: s.siteId, lat: s.lat, lon: s.lon })),
        });
        this.changed.add(entryKey('e', d.exemptionId));
        return undefined;
      }
      case EventTypes.VesselPositionReported: {
        const d = cloudEvent.data as VesselPositionData;
        this.addToTrack(d.mmsi, Date.parse(d.at), d.lat, d.lon);
        return undefined;
      }
      case EventTypes.FlagRaised: {
        const flag = (cloudEvent.data as Flag) ?? undefined;
        const c = this.raised(event, flag);
        this.changed.add(entryKey('a', c.alertId)).add(entryKey('l', flag.fingerprint));
        return c;
      }
      case EventTypes.FlagCleared: {
        const d = cloudEvent.data as FlagClearedData;
        const c = this.cleared(event, d);
        if (c) this.changed.add(entryKey('a', c.alertId)).add(entryKey('l', d.fingerprint));
        return c;
      }
      case SilenceEventTypes.Created: {
        const { at: _at, ...silence } = cloudEvent.data as SilenceCreatedData;
        if (!this.silences.has(silence.silenceId)) this.silenceLog.push(silence.silenceId);
        this.silences.set(silence.silenceId, silence);
        this.changed.add(entryKey('s', silence.silenceId));
        // Matched now against every open alert already matched before, so the cost of a silence is paid
        // once, when it is created, and never piles up for the next read.
        for (const alert of this.alerts.values())
          if (alert.status !== 'resolved' && this.matchCache.has(alert.alertId))
            this.silencesMuting(alert, event.recordedAt);
        return undefined;
      }
      case SilenceEventTypes.Expired: {
        const d = cloudEvent.data as SilenceExpiredData;
        const s = this.silences.get(d.silenceId);
        if (s && !s.expiredAt) {
          this.silences.set(d.silenceId, { ...s, expiredAt: d.at, expiredBy: d.by });
          this.changed.add(entryKey('s', d.silenceId));
        }
        return undefined;
      }
      default:
        if (event.type.startsWith(ALERT_EVENT_PREFIX)) {
          const c = this.lifecycle(event, cloudEvent.data as AlertLifecycleData);
          if (c) this.changed.add(entryKey('a', c.alertId));
          return c;
        }
        return undefined;
    }
  }

  get(alertId: string): Alert | undefined {
    return this.alerts.get(alertId);
  }

  /**
   * Whether `alert` concerns an organisation other than `tenant`: another organisation in its labels, or a
   * consignment owned by another organisation (or by none known). An organisation's action on such an
   * alert changes only its own view of it (`viewOf`).
   */
  sharedBeyond(alert: Alert, tenant: string): boolean {
    return (
      alert.labels.organisation.some((org) => org !== tenant) ||
      alert.consignmentIds.some((id) => this.ownerOf(id)?.organisation !== tenant)
    );
  }

  /**
   * The alert as organisation `tenant` sees it: its status and assignee those of the organisation's own
   * view when it acted on the alert while shared (else the alert's own), and its history without other
   * organisations' actions on their own views. An operator's view (`tenant` undefined) is the alert
   * itself (with every organisation's view in `organisations`); a tenant's view has no `organisations`.
   * Identifiers are redacted elsewhere (`redactAlertFor`).
   */
  viewOf(alert: Alert, tenant: string | undefined): Alert {
    if (tenant === undefined) return alert;
    const own = alert.organisations?.[tenant];
    const foreign = alert.history.some((e) => e.organisation !== undefined && e.organisation !== tenant);
    if (alert.organisations === undefined && !foreign) return alert;
    const { organisations: _views, historyOmitted: _omitted, ...view } = alert;
    // What was dropped may hold other organisations' actions: a shared alert's count is not told.
    if (foreign)
      view.history = alert.history.filter((e) => e.organisation === undefined || e.organisation === tenant);
    if (own !== undefined) {
      view.status = own.status;
      if (own.assignee !== undefined) view.assignee = own.assignee;
    }
    return view;
  }

  all(): IterableIterator<Alert> {
    return this.alerts.values();
  }

  /**
   * The alerts whose `organisation` label names `organisation` (what its dashboards and monitors may see), in
   * book order (as `all()`); every alert when undefined (an operator). From an index kept as labels change,
   * so one organisation's reads cost its own alerts, not every organisation's.
   */
  visibleTo(organisation: string | undefined): Alert[] {
    if (organisation === undefined) return [...this.alerts.values()];
    const ids = [...(this.byOrganisation.get(organisation) ?? [])];
    const seq = (id: string) => this.alertSeq.get(id) ?? 0;
    return ids.sort((a, b) => seq(a) - seq(b)).map((id) => this.alerts.get(id) as Alert);
  }

  /** Keeps `byOrganisation` in step with an alert's `organisation` label (after it was set). */
  private indexOrganisations(alert: Alert): void {
    const now = alert.labels.organisation;
    const before = this.organisationsOf.get(alert.alertId) ?? [];
    if (before.length === now.length && before.every((o, i) => o === now[i])) return;
    for (const o of before) if (!now.includes(o)) this.byOrganisation.get(o)?.delete(alert.alertId);
    for (const o of now) {
      let ids = this.byOrganisation.get(o);
      if (!ids) this.byOrganisation.set(o, (ids = new Set()));
      ids.add(alert.alertId);
    }
    this.organisationsOf.set(alert.alertId, [...now]);
  }

  silence(silenceId: string): Silence | undefined {
    return this.silences.get(silenceId);
  }

  allSilences(): Silence[] {
    return [...this.silences.values()];
  }

  /**
   * Silences muting the alert at `at` (the caller's clock), and active alerts inhibiting it, as `reader`
   * may see them: a tenant (`reader` its organisation) sees its own and operators' silences and only
   * inhibiting alerts of its organisation; an operator (`reader` undefined, the default) sees all.
   */
  mutedBy(
    alert: Alert,
    at: string,
    reader?: { tenant?: string },
  ): { silencedBy: string[]; inhibitedBy: string[] } {
    if (alert.status === 'resolved') return { silencedBy: [], inhibitedBy: [] };
    const tenant = reader?.tenant;
    const silences = this.silencesMuting(alert, at);
    const inhibitors = inhibitorsOf(alert.alertId, alert.labels, this.active(), this.inhibitionRules);
    return {
      silencedBy: silences
        .filter((s) => tenant === undefined || silenceApplies(s, tenant))
        .map((s) => s.silenceId),
      inhibitedBy:
        tenant === undefined
          ? inhibitors
          : inhibitors.filter((id) => this.alerts.get(id)?.labels.organisation.includes(tenant)),
    };
  }

  /**
   * Where a consignment belongs (exemption, organisation), for tenancy checks: the one ownership model
   * (`OwnershipLedger`: first accepted registration and grant, operator transfers).
   */
  ownerOf = (consignmentId: string): ConsignmentOwner | undefined => {
    const exemptionId = this.ownership.exemptionOfConsignment(consignmentId);
    if (exemptionId === undefined) return undefined;
    return {
      exemptionId,
      organisation: this.ownership.organisationOfExemption(exemptionId),
      registered: this.ownership.registrationOrderOf(consignmentId),
    };
  };

  /**
   * An alert's labels as organisation `tenant` sees them (contract "Access", redaction): every consignment
   * id, exemption id, organisation name and site id of another organisation (a consignment of unknown owner
   * counts as another's) left out, unless it is also the tenant's own (a site both exemptions name). What a
   * tenant's silences are matched against; decided by `labelsSeenBy` (redaction.ts), like every reader's view.
   */
  labelsSeenBy(labels: AlertLabels, tenant: string): AlertLabels {
    return labelsAsSeenBy({ tenant }, labels, this.ownershipOf);
  }

  /**
   * The silences active at `at` that select `alert`: an operator's matched on the full labels, an
   * organisation's on the labels as it sees them (`labelsSeenBy`). Matching is cached per alert (see
   * `matchCache`); only the time window is judged on every call.
   */
  private silencesMuting(alert: Alert, at: string): Silence[] {
    const log = this.silenceLog;
    if (log.length === 0) return [];
    if (this.silenceTenants.seen !== log.length) {
      const tenants = new Set<string>();
      for (const s of this.silences.values()) if (s.tenant !== undefined) tenants.add(s.tenant);
      this.silenceTenants = { seen: log.length, tenants };
    }
    // Only organisations of the alert see it; another organisation's silence never matches it.
    const views = new Map<string, AlertLabels>();
    for (const tenant of [...alert.labels.organisation].sort())
      if (this.silenceTenants.tenants.has(tenant)) views.set(tenant, this.labelsSeenBy(alert.labels, tenant));
    const key = JSON.stringify([alert.labels, [...views]]);
    let cached = this.matchCache.get(alert.alertId);
    if (cached?.key !== key) {
      cached = { key, seen: 0, ids: [] };
      this.matchCache.set(alert.alertId, cached);
    }
    if (cached.seen < log.length) {
      const fresh = log.slice(cached.seen).map((id) => this.silences.get(id)!);
      const matched = silencesMatching(fresh, alert.labels, (tenant) => views.get(tenant));
      cached.ids.push(...matched.map((m) => m.silenceId));
      cached.seen = log.length;
    }
    const found: Silence[] = [];
    for (const id of cached.ids) {
      const silence = this.silences.get(id)!;
      if (silenceState(silence, at) === 'active') found.push(silence);
    }
    return found;
  }

  /** `ownerOf` with the site ids of the owning exemption, for redaction per reader. */
  ownershipOf = (consignmentId: string): (ConsignmentOwner & { siteIds: string[] }) | undefined => {
    const owner = this.ownerOf(consignmentId);
    if (!owner) return undefined;
    return { ...owner, siteIds: (this.exemptions.get(owner.exemptionId)?.sites ?? []).map((s) => s.siteId) };
  };

  snapshot(): BookSnapshot {
    return {
      alerts: [...this.alerts.values()],
      silences: [...this.silences.values()],
      consignments: [...this.consignments],
      exemptions: [...this.exemptions],
      tracks: [...this.tracks],
      ownership: this.ownership.toJson(),
      grouped: [...this.grouped],
      latest: [...this.latest],
    };
  }

  /**
   * The checkpoint in parts: `head()`, plus `entry(key)` for each key of `takeChangedKeys()` (every key
   * after `markAllChanged()`); `restoreParts` takes them back. A checkpoint then costs what changed since
   * the previous one and is written a subject at a time — never the whole book as one JSON text, which one
   * organisation's flood of flags could make larger than the heap.
   */
  head(): BookHead {
    return { ownership: this.ownership.toJson(), nextSeq: this.nextSeq };
  }

  /** The keys changed since the last call (and forgets them). */
  takeChangedKeys(): string[] {
    const keys = [...this.changed];
    this.changed.clear();
    return keys;
  }

  /** Counts every entry as changed (a checkpoint written whole). */
  markAllChanged(): void {
    const maps: Array<[EntryKind, Map<string, unknown>]> = [
      ['a', this.alerts],
      ['s', this.silences],
      ['c', this.consignments],
      ['e', this.exemptions],
      ['t', this.tracks],
      ['g', this.grouped],
      ['l', this.latest],
    ];
    for (const [kind, map] of maps) for (const id of map.keys()) this.changed.add(entryKey(kind, id));
  }

  /** An entry as of now (JSON-serialisable); undefined when there is none under that key. */
  entry(key: string): unknown {
    const id = key.slice(2);
    switch (key[0] as EntryKind) {
      case 'a': {
        const alert = this.alerts.get(id);
        return alert && { seq: this.alertSeq.get(id), alert };
      }
      case 's': {
        const silence = this.silences.get(id);
        return silence && { seq: this.silenceLog.indexOf(id), silence };
      }
      case 'c':
        return this.consignments.get(id);
      case 'e':
        return this.exemptions.get(id);
      case 't':
        return this.tracks.get(id);
      case 'g':
        return this.grouped.get(id);
      case 'l':
        return this.latest.get(id);
      default:
        return undefined;
    }
  }

  /** Whether a key names an entry of the book (others in a checkpoint belong to its owner). */
  static ownsKey(key: string): boolean {
    return key[1] === ':' && (EntryKinds as readonly string[]).includes(key[0]);
  }

  /** A book from `head()` and its entries by key (keys the book does not own are ignored). */
  static restoreParts(
    head: BookHead,
    entries: Record<string, unknown>,
    rules?: readonly InhibitionRule[],
  ): AlertBook {
    const book = new AlertBook(rules);
    const alerts: Array<{ seq: number; alert: Alert }> = [];
    const silences: Array<{ seq: number; silence: Silence }> = [];
    for (const [key, value] of Object.entries(entries)) {
      if (!AlertBook.ownsKey(key) || value === undefined || value === null) continue;
      const id = key.slice(2);
      switch (key[0] as EntryKind) {
        case 'a':
          alerts.push(value as { seq: number; alert: Alert });
          break;
        case 's':
          silences.push(value as { seq: number; silence: Silence });
          break;
        case 'c':
          book.consignments.set(id, value as { exemptionId: string; mmsi?: string });
          break;
        case 'e':
          book.exemptions.set(id, value as { organisation: string; sites: Site[] });
          break;
        case 't':
          book.tracks.set(id, value as TrackPoint[]);
          break;
        case 'g':
          book.grouped.set(id, value as string);
          break;
        case 'l':
          book.latest.set(id, value as LatestFlag);
          break;
      }
    }
    alerts.sort((x, y) => x.seq - y.seq);
    for (const { seq, alert } of alerts) {
      book.alerts.set(alert.alertId, alert);
      book.alertSeq.set(alert.alertId, seq);
      book.indexOrganisations(alert);
    }
    book.nextSeq = head.nextSeq;
    silences.sort((x, y) => x.seq - y.seq);
    for (const { silence } of silences) {
      book.silenceLog.push(silence.silenceId);
      book.silences.set(silence.silenceId, silence);
    }
    book.ownership = OwnershipLedger.fromJson(head.ownership);
    return book;
  }

  static restore(snapshot: unknown, rules?: readonly InhibitionRule[]): AlertBook {
    const s = snapshot as BookSnapshot;
    const book = new AlertBook(rules);
    for (const a of s.alerts ?? []) {
      book.alerts.set(a.alertId, a);
      book.alertSeq.set(a.alertId, book.nextSeq++);
      book.indexOrganisations(a);
    }
    for (const x of s.silences ?? []) {
      if (!book.silences.has(x.silenceId)) book.silenceLog.push(x.silenceId);
      book.silences.set(x.silenceId, x);
    }
    for (const [k, v] of s.consignments ?? []) book.consignments.set(k, v);
    for (const [k, v] of s.exemptions ?? []) book.exemptions.set(k, v);
    for (const [k, v] of s.tracks ?? []) book.tracks.set(k, v);
    for (const [k, v] of s.grouped ?? []) book.grouped.set(k, v);
    for (const [k, v] of s.latest ?? []) book.latest.set(k, v);
    // A snapshot from before the ownership ledger: the ownership its (newest-wins) maps imply.
    book.ownership = s.ownership
      ? OwnershipLedger.fromJson(s.ownership)
      : OwnershipLedger.fromJson({
          exemptions: (s.exemptions ?? []).map(([k, v]) => [k, v.organisation]),
          consignments: (s.consignments ?? []).map(([k, v]) => [k, v.exemptionId]),
        });
    return book;
  }

  /**
   * An operator's transfer: ownership moves, and the alerts of the consignments it moves are labelled
   * again (organisation, exemption), so their visibility follows at once rather than at their next flag.
   */
  private transferred(event: CloudEvent<string, OwnershipTransferredData>): void {
    const t = event.data;
    const moved = (consignmentId: string) =>
      t.kind === 'consignment'
        ? consignmentId === t.consignmentId
        : this.ownership.exemptionOfConsignment(consignmentId) === t.exemptionId;
    this.ownership.apply(event);
    const groups = new Set(this.grouped.values());
    for (const alert of this.alerts.values()) {
      if (!alert.consignmentIds.some(moved)) continue;
      this.changed.add(entryKey('a', alert.alertId));
      if (!groups.has(alert.alertId)) {
        alert.labels = labelsOf(alert.flag, this.ownerOf);
        this.indexOrganisations(alert);
        continue;
      }
      // A grouped alert (both vessels of an encounter): labelled from every consignment and vessel it names.
      const labels = labelsOf({ ...alert.flag, consignmentIds: alert.consignmentIds }, this.ownerOf);
      alert.labels = { ...labels, vessel: union(alert.labels.vessel, labels.vessel) };
      this.indexOrganisations(alert);
    }
  }

  private *active(): Iterable<Alert> {
    for (const a of this.alerts.values()) if (a.status !== 'resolved') yield a;
  }

  /**
   * The alert a flag belongs to: its fingerprint's, unless that problem was grouped into another alert
   * (Alertmanager-style grouping). One ship-to-ship encounter is one problem: the detector raises an
   * `encounter` flag per vessel (each vessel's own fingerprint); the second vessel's flag joins the alert of
   * the first when that alert is about the partner it names, names this vessel as its partner, and cites the
   * same position reports (the pair's first and latest close approach). Once grouped, the fingerprint stays
   * with that alert (re-detections and clears included).
   */
  private groupedAlertId(flag: Flag): string {
    const known = this.grouped.get(flag.fingerprint);
    if (known !== undefined) return known;
    const partner = partnerOf(flag);
    if (flag.rule !== 'encounter' || partner === undefined || this.alerts.has(flag.fingerprint))
      return flag.fingerprint;
    const evidence = new Set(flag.evidence);
    for (const a of this.alerts.values())
      if (
        a.rule === 'encounter' &&
        a.subject.kind === 'vessel' &&
        a.subject.id === partner &&
        partnerOf(a.flag) === flag.subject.id &&
        a.flag.evidence.some((id) => evidence.has(id))
      ) {
        this.grouped.set(flag.fingerprint, a.alertId);
        this.changed.add(entryKey('g', flag.fingerprint));
        return a.alertId;
      }
    return flag.fingerprint;
  }

  private raised(event: BookEvent, flag: Flag): EventClassification {
    const labels = labelsOf(flag, this.ownerOf);
    const location = this.locationOf(flag, labels, event.vesselPosition);
    const alertId = this.groupedAlertId(flag);
    let alert = this.alerts.get(alertId);
    const previous = this.latest.get(flag.fingerprint);
    // The detector clears a flag it replaces (reason: superseded) just before raising its successor.
    const adds =
      previous !== undefined &&
      flag.evidence.length > previous.evidence.length &&
      previous.evidence.every((id) => flag.evidence.includes(id));
    const relinked = previous?.state === 'relinked' && previous.flagId !== flag.flagId;
    const update = (previous?.state === 'superseded' && previous.flagId !== flag.flagId && !adds) || relinked;
    this.latest.set(flag.fingerprint, { flagId: flag.flagId, evidence: [...flag.evidence], state: 'open' });
    let reason: NotifyReason;
    if (!alert) {
      alert = {
        alertId,
        rule: flag.rule,
        severity: flag.severity,
        subject: flag.subject,
        consignmentIds: [...flag.consignmentIds],
        labels,
        status: 'firing',
        location,
        flag,
        flagIds: [flag.flagId],
        openFlagIds: [flag.flagId],
        occurrences: 1,
        firstRaisedAt: flag.raisedAt,
        lastRaisedAt: flag.raisedAt,
        lifecycleEvents: 0,
        history: [
          {
            type: 'raised',
            at: flag.raisedAt,
            by: 'detector',
            note: flag.explanation,
            flagId: flag.flagId,
            eventId: event.id,
          },
        ],
      };
      this.alerts.set(alert.alertId, alert);
      this.alertSeq.set(alert.alertId, this.nextSeq++);
      reason = 'new';
    } else {
      if (!alert.flagIds.includes(flag.flagId)) {
        alert.flagIds.push(flag.flagId);
        // The other vessel's flag of a grouped encounter is the same meeting, seen from its side.
        const joined = alertId !== flag.fingerprint && previous === undefined;
        if (!update && !joined) {
          alert.occurrences += 1;
          this.reopenViews(alert);
        }
        // The same occurrence, re-worded with newer evidence: the history keeps the new sentence.
        else if (!relinked && flag.explanation !== alert.flag.explanation && alert.status !== 'resolved')
          this.record(alert, {
            type: 'updated',
            at: flag.raisedAt,
            by: 'detector',
            note: flag.explanation,
            flagId: flag.flagId,
            eventId: event.id,
          });
      }
      if (!alert.openFlagIds.includes(flag.flagId)) alert.openFlagIds.push(flag.flagId);
      // A re-detection updates what the alert shows; severity and labels follow the newest flag.
      const before = new Set(alert.labels.organisation);
      alert.flag = flag;
      alert.severity = flag.severity;
      alert.consignmentIds = [...new Set([...alert.consignmentIds, ...flag.consignmentIds])].sort();
      // An alert grouping several problems (both vessels of an encounter) keeps every vessel, consignment
      // and organisation of each; otherwise the labels are the newest flag's.
      alert.labels =
        alertId === flag.fingerprint
          ? { ...labels, consignmentId: alert.consignmentIds }
          : {
              ...labels,
              consignmentId: alert.consignmentIds,
              vessel: union(alert.labels.vessel, labels.vessel),
              exemptionId: union(alert.labels.exemptionId, labels.exemptionId),
              organisation: union(alert.labels.organisation, labels.organisation),
              siteId: union(alert.labels.siteId, labels.siteId),
            };
      alert.location = location ?? alert.location;
      if (flag.raisedAt > alert.lastRaisedAt) alert.lastRaisedAt = flag.raisedAt;
      // An organisation whose aid it names now for the first time sees it firing, whatever those who shared
      // it before did to it (acknowledged, resolved by hand).
      if (alert.status !== 'firing') this.openViewsOfNewcomers(alert, before);
      if (relinked) {
        // Only the aid aboard changed: no one's view re-opens.
        reason = 'duplicate';
      } else if (alert.status === 'resolved') {
        alert.status = 'firing';
        this.reopenViews(alert);
        this.record(alert, {
          type: 'reopened',
          at: flag.raisedAt,
          by: 'detector',
          note: 'new evidence',
          flagId: flag.flagId,
          eventId: event.id,
        });
        reason = 'reopened';
      } else reason = 'duplicate';
    }
    this.indexOrganisations(alert);
    return this.classify(event, alert, reason);
  }

  private cleared(event: BookEvent, d: FlagClearedData): EventClassification | undefined {
    const alert = this.alerts.get(this.grouped.get(d.fingerprint) ?? d.fingerprint);
    if (!alert) return undefined;
    alert.openFlagIds = alert.openFlagIds.filter((id) => id !== d.flagId);
    const latest = this.latest.get(d.fingerprint);
    if (latest?.flagId === d.flagId)
      this.latest.set(d.fingerprint, {
        ...latest,
        state: AID_ABOARD_CHANGED_REASONS.has(d.reason)
          ? 'relinked'
          : isSuperseded(d.reason)
            ? 'superseded'
            : 'cleared',
      });
    if (isSuperseded(d.reason)) return this.classify(event, alert, 'duplicate');
    if (alert.openFlagIds.length > 0 || alert.status === 'resolved')
      return this.classify(event, alert, 'no-change');
    alert.status = 'resolved';
    for (const view of Object.values(alert.organisations ?? {})) view.status = 'resolved';
    this.record(alert, {
      type: 'cleared',
      at: d.clearedAt,
      by: 'detector',
      note: d.reason,
      flagId: d.flagId,
      eventId: event.id,
    });
    return this.classify(event, alert, 'resolved');
  }

  private lifecycle(event: BookEvent, d: AlertLifecycleData): EventClassification | undefined {
    const alert = this.alerts.get(d.alertId);
    if (!alert) return undefined;
    alert.lifecycleEvents += 1;
    const scope = typeof d.organisation === 'string' ? d.organisation : undefined;
    const entry: AlertHistoryEntry = {
      type: 'commented',
      at: d.at,
      by: d.by,
      note: d.note,
      eventId: event.id,
      ...(scope !== undefined && { organisation: scope }),
    };
    // What the action changes: the alert itself, or one organisation's own view of a shared alert.
    const state: OrganisationAlertState =
      scope === undefined ? alert : ((alert.organisations ??= {})[scope] ??= { status: alert.status });
    switch (event.type) {
      case AlertEventTypes.Acknowledged:
        entry.type = 'acknowledged';
        if (state.status === 'firing') state.status = 'acknowledged';
        break;
      case AlertEventTypes.Resolved:
        entry.type = 'resolved';
        state.status = 'resolved';
        break;
      case AlertEventTypes.Assigned:
        entry.type = 'assigned';
        entry.assignee = d.assignee;
        state.assignee = d.assignee;
        break;
    }
    this.record(alert, entry);
    if (scope === undefined) return this.classify(event, alert, 'lifecycle');
    return { ...this.classify(event, { ...alert, status: state.status }, 'lifecycle'), organisation: scope };
  }

  /**
   * Adds `entry` to the alert's history, which keeps its first entry and, of the entry's scope (the alert's
   * own entries, or one organisation's actions on its view of a shared alert), the `MAX_ALERT_HISTORY - 1`
   * newest (counting those dropped in `historyOmitted`): comments and actions on one alert cannot grow the
   * book's memory without bound (at most that many per organisation concerned), and one organisation's
   * actions never push another's out of its view; the lifecycle stream in the store keeps every one.
   */
  private record(alert: Alert, entry: AlertHistoryEntry): void {
    alert.history.push(entry);
    const scope = entry.organisation;
    let inScope = 0;
    let oldest = -1;
    for (let i = alert.history.length - 1; i >= 1; i--)
      if (alert.history[i]!.organisation === scope) {
        inScope += 1;
        oldest = i;
      }
    if (inScope < MAX_ALERT_HISTORY) return;
    alert.history.splice(oldest, 1);
    alert.historyOmitted = (alert.historyOmitted ?? 0) + 1;
  }

  /**
   * An alert acknowledged or resolved by hand now naming aid of organisations it did not before (`before`: its
   * organisations then): each of them gets a view of its own, firing; the others keep theirs (a view of the
   * alert's state when they had none).
   */
  private openViewsOfNewcomers(alert: Alert, before: ReadonlySet<string>): void {
    const newcomers = alert.labels.organisation.filter((org) => !before.has(org));
    if (newcomers.length === 0) return;
    const views = (alert.organisations ??= {});
    for (const org of before) views[org] ??= { status: alert.status };
    for (const org of newcomers) views[org] = { status: 'firing' };
  }

  /** New evidence re-opens the organisations' views resolved by hand (as it re-opens the alert). */
  private reopenViews(alert: Alert): void {
    for (const view of Object.values(alert.organisations ?? {}))
      if (view.status === 'resolved') view.status = 'firing';
  }

  private classify(event: BookEvent, alert: Alert, reason: NotifyReason): EventClassification {
    const muted = reason === 'duplicate' || reason === 'no-change';
    const silences = muted ? [] : this.silencesMuting(alert, event.recordedAt);
    const silencedBy = silences.map((s) => s.silenceId);
    const inhibitedBy = muted
      ? []
      : inhibitorsOf(alert.alertId, alert.labels, this.active(), this.inhibitionRules);
    return {
      changed: !muted,
      silencing: silences.map((s) => (s.tenant === undefined ? {} : { tenant: s.tenant })),
      inhibiting: inhibitedBy.map((id) => [...(this.alerts.get(id)?.labels.organisation ?? [])]),
      eventId: event.id,
      type: event.type,
      alertId: alert.alertId,
      labels: alert.labels,
      status: alert.status,
      location: alert.location,
      reason,
      silencedBy,
      inhibitedBy,
      notify: !muted && silencedBy.length === 0 && inhibitedBy.length === 0,
    };
  }

  /** The vessel whose position locates a flag without a place of its own (its subject, or the carrier). */
  vesselToLocate(flag: Flag): string | undefined {
    const { lat, lon, siteId } = flag.observed ?? {};
    if ((typeof lat === 'number' && typeof lon === 'number') || typeof siteId === 'string') return undefined;
    if (flag.subject.kind === 'vessel') return flag.subject.id;
    return flag.consignmentIds.map((id) => this.consignments.get(id)?.mmsi).find((m) => m !== undefined);
  }

  private locationOf(flag: Flag, labels: AlertLabels, vesselPosition?: GeoPoint): GeoPoint | undefined {
    const { lat, lon } = flag.observed ?? {};
    if (typeof lat === 'number' && typeof lon === 'number') return { lat, lon };
    for (const siteId of labels.siteId)
      for (const exemptionId of labels.exemptionId) {
        const site = this.exemptions.get(exemptionId)?.sites.find((s) => s.siteId === siteId);
        if (site) return { lat: site.lat, lon: site.lon };
      }
    if (vesselPosition) return vesselPosition;
    const at = Date.parse(flag.raisedAt);
    if (flag.subject.kind === 'vessel') return this.positionAt(flag.subject.id, at);
    for (const id of flag.consignmentIds) {
      const mmsi = this.consignments.get(id)?.mmsi;
      const p = mmsi ? this.positionAt(mmsi, at) : undefined;
      if (p) return p;
    }
    return undefined;
  }

  private addToTrack(mmsi: string, t: number, lat: number, lon: number): void {
    if (Number.isNaN(t)) return;
    const track = this.tracks.get(mmsi) ?? [];
    const last = track.at(-1);
    if (last && t < last[0] + TRACK_RESOLUTION_MS) return;
    track.push([t, lat, lon]);
    if (track.length > TRACK_MAX_POINTS) track.splice(0, track.length - TRACK_MAX_POINTS);
    this.tracks.set(mmsi, track);
    this.changed.add(entryKey('t', mmsi));
  }

  /** Where the vessel was at event time `t`: its last kept position at or before `t` (else its first). */
  private positionAt(mmsi: string, t: number): GeoPoint | undefined {
    const track = this.tracks.get(mmsi);
    if (!track || track.length === 0) return undefined;
    let lo = 0;
    let hi = track.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (track[mid][0] <= t) lo = mid;
      else hi = mid - 1;
    }
    return { lat: track[lo][1], lon: track[lo][2] };
  }
}

/** The summary a lifecycle event carries of its alert, with the status it leads to. */
export function summaryOf(alert: Alert, status: AlertStatus): AlertSummary {
  return {
    alertId: alert.alertId,
    rule: alert.rule,
    severity: alert.severity,
    subject: alert.subject,
    consignmentIds: alert.consignmentIds,
    status,
  };
}
