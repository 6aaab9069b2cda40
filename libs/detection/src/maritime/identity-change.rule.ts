import type { Severity, VesselStaticData } from '@aidwatch/domain';
import { distance, duration, position, shortTime, vesselLabel } from './explain';
import { distanceKm, greatCircleKm, KM_PER_NM, MS_PER_HOUR } from './geo';
import type { MaritimeContext } from './maritime-context';
import { flagStateOfMmsi } from './mid-flag-states';
import { add, Decided, decided, raise, type Decision, type Step } from './rule-decision';
import type { Fix, RuleSubjects, VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';

/** The MMSI that last reported an IMO number. */
export interface ImoHolder {
  mmsi: string;
  at: number;
  eventId: string;
}

type IdentityField = 'name' | 'callsign' | 'imo' | 'flag';
const FIELDS: readonly IdentityField[] = ['name', 'callsign', 'imo', 'flag'];

/** What one vessel reported about itself, the problems already raised (bounded), and the last jump. */
export interface IdentityState {
  name: string | null;
  callsign: string | null;
  imo: string | null;
  flag: string | null;
  /** Problems already raised, so alternating values do not raise again and again (null: none yet). */
  keys: string[] | null;
  lastJumpAt: number | null;
}

const emptyIdentity = (): IdentityState => ({
  name: null,
  callsign: null,
  imo: null,
  flag: null,
  keys: null,
  lastJumpAt: null,
});

/**
 * Identity change: for one MMSI a new name, call sign, IMO number or flag; a flag that contradicts the
 * MMSI's MID; an IMO number that fails its check digit; one IMO number on several MMSIs (worse when both
 * transmit within a day); and impossible jumps between fixes (implied speed above 30 kn, the limit Global
 * Fishing Watch's segmenter uses) that point to a spoofed or shared MMSI. Each problem is raised
 * (`raise`) once per vessel while remembered; nothing clears it.
 */
export class IdentityChangeRule implements VesselRule<IdentityState | null> {
  readonly name = 'identityChange';
  /** Per IMO number, the MMSI that last reported it (key `imo:<number>` in snapshots). */
  readonly imoHolders = new Map<string, ImoHolder>();
  /** IMO numbers whose holder changed since the last `takeChangedImos`. */
  private readonly changedImos = new Set<string>();

  constructor(private readonly ctx: MaritimeContext) {}

  private get cfg() {
    return this.ctx.config.identityChange;
  }

  initialState(): IdentityState | null {
    return null;
  }

  /** Each IMO number's holder, under `imo:<number>`. */
  readonly subjects: RuleSubjects = {
    kind: 'imo',
    ids: () => this.imoHolders.keys(),
    takeChanged: () => this.takeChangedImos(),
    entry: (imo) => this.imoHolders.get(imo),
    restore: (imo, entry) => void this.imoHolders.set(imo, entry as ImoHolder),
  };

  takeChangedImos(): string[] {
    const imos = [...this.changedImos];
    this.changedImos.clear();
    return imos;
  }

  onFix(track: VesselTrack, state: IdentityState | null, fix: Fix): Step<IdentityState | null> {
    return track.hasFix() ? this.jump(track, state, fix) : state;
  }

  onLateFix(track: VesselTrack, state: IdentityState | null, fix: Fix): Step<IdentityState | null> {
    return this.jump(track, state, fix);
  }

  /** Compares a fix with the vessel's newest one (either may be the older): an impossible jump raises. */
  private jump(track: VesselTrack, state: IdentityState | null, fix: Fix): Step<IdentityState | null> {
    const cfg = this.cfg;
    const { at, lat, lon, eventId } = fix;
    let km = distanceKm(track.lastLat, track.lastLon, lat, lon);
    if (km < cfg.minJumpKm) return state;
    if (km > 300) km = greatCircleKm(track.lastLat, track.lastLon, lat, lon);
    const ms = Math.max(Math.abs(at - track.lastAt), 1000);
    const kn = km / KM_PER_NM / (ms / MS_PER_HOUR);
    const highSpeedCraft = track.shipType >= 40 && track.shipType <= 49;
    const limit = highSpeedCraft ? cfg.highSpeedCraftImpossibleSpeedKn : cfg.impossibleSpeedKn;
    if (kn <= limit) return state;
    const next = state ?? emptyIdentity();
    if (next.lastJumpAt !== null && at - next.lastJumpAt < cfg.jumpCooldownHours * MS_PER_HOUR) return next;
    next.lastJumpAt = at;
    const [earlier, later] = at < track.lastAt ? [eventId, track.lastEventId] : [track.lastEventId, eventId];
    const flag = this.flag(track, `jump:${at}`, cfg.severity, at, [earlier, later], {
      observed: { jumpKm: Math.round(km), minutes: Math.round(ms / 60_000), impliedSpeedKn: Math.round(kn) },
      threshold: { impossibleSpeedKn: limit, minJumpKm: cfg.minJumpKm },
      explanation:
        `${vesselLabel(track, at)} jumped ${distance(km)} in ${duration(ms)} to ${position(lat, lon)} ` +
        `(implied ${Math.round(kn)} kn, above ${limit} kn): a spoofed position or an MMSI used by two ships`,
    });
    return new Decided(next, [flag]);
  }

  onStatic(
    track: VesselTrack,
    current: IdentityState | null,
    data: VesselStaticData,
    at: number,
    eventId: string,
  ): Step<IdentityState> {
    const cfg = this.cfg;
    const state = current ?? emptyIdentity();
    let out: Decision[] | null = null;
    const reported: Record<IdentityField, string | null> = {
      name: normaliseText(data.name),
      callsign: normaliseText(data.callsign),
      imo: normaliseImo(data.imo),
      flag: normaliseText(data.flag),
    };
    for (const field of FIELDS) {
      const now = reported[field];
      const before = state[field];
      if (now === null) continue;
      state[field] = now;
      if (before === null || before === now) continue;
      const pair = [before, now].sort().join('|');
      out = add(
        out,
        this.raiseOnce(track, state, `${field}:${pair}`, cfg.severity, at, [eventId], {
          observed: { field, from: before, to: now },
          threshold: { change: 'any' },
          explanation: `${field === 'name' ? `MMSI ${track.mmsi}` : vesselLabel(track, at)} now reports ${FIELD_NAMES[field]} ${now}, previously ${before}`,
        }),
      );
    }
    const imo = reported.imo;
    if (imo !== null) {
      if (!imoCheckDigitValid(imo)) {
        out = add(
          out,
          this.raiseOnce(track, state, `imo-check:${imo}`, cfg.severity, at, [eventId], {
            observed: { imo },
            threshold: { imoCheckDigit: 'valid' },
            explanation: `${vesselLabel(track, at)} reports IMO ${imo}, which fails the IMO check digit`,
          }),
        );
      }
      out = add(out, this.checkSharedImo(track, state, imo, at, eventId));
    }
    const flag = reported.flag;
    const midState = flagStateOfMmsi(track.mmsi, cfg.midFlagStates);
    if (flag !== null && flag.length === 2 && midState && midState !== flag) {
      out = add(
        out,
        this.raiseOnce(track, state, `flag-mid:${flag}`, cfg.severity, at, [eventId], {
          observed: { flag, mmsiFlagState: midState },
          threshold: { flagMatchesMmsi: true },
          explanation:
            `${vesselLabel(track, at)} reports flag ${flag}, but its MMSI's MID ${track.mmsi.slice(0, 3)} ` +
            `belongs to ${midState}`,
        }),
      );
    }
    return decided(state, out);
  }

  toJSON(state: IdentityState | null): unknown {
    return state ?? undefined;
  }

  fromJSON(json: unknown): IdentityState | null {
    return (json as IdentityState | undefined) ?? null;
  }

  /** Notes the vessel as the IMO number's holder; the flag of a number another MMSI held, if not raised yet. */
  private checkSharedImo(
    track: VesselTrack,
    state: IdentityState,
    imo: string,
    at: number,
    eventId: string,
  ): Decision | null {
    const holder = this.imoHolders.get(imo);
    this.changedImos.add(imo);
    if (!holder || holder.mmsi === track.mmsi) {
      if (holder) {
        holder.at = Math.max(holder.at, at);
        holder.eventId = eventId;
      } else this.imoHolders.set(imo, { mmsi: track.mmsi, at, eventId });
      return null;
    }
    const other = this.ctx.trackOf(holder.mmsi);
    const otherSeen = Math.max(holder.at, other?.lastSeenAt ?? -Infinity);
    const sinceMs = at - otherSeen;
    const concurrent = sinceMs <= this.cfg.sharedImoConcurrentHours * MS_PER_HOUR;
    const states = this.cfg.midFlagStates;
    const stateOf = (mmsi: string) => flagStateOfMmsi(mmsi, states) ?? 'unknown flag';
    const flag = this.raiseOnce(
      track,
      state,
      `imo-shared:${imo}:${holder.mmsi}`,
      concurrent ? this.cfg.concurrentSeverity : this.cfg.severity,
      at,
      [holder.eventId, eventId],
      {
        observed: {
          imo,
          otherMmsi: holder.mmsi,
          hoursSinceOther: Math.round(sinceMs / MS_PER_HOUR),
          concurrent,
        },
        threshold: { sharedImoConcurrentHours: this.cfg.sharedImoConcurrentHours },
        explanation:
          `${vesselLabel(track, at)} (${stateOf(track.mmsi)}) reports IMO ${imo}, also reported by MMSI ${holder.mmsi} ` +
          `(${stateOf(holder.mmsi)}), last seen ${duration(Math.max(0, sinceMs))} earlier at ${shortTime(otherSeen)}` +
          (concurrent ? ': two transponders claim one hull' : ': the hull changed MMSI'),
      },
    );
    this.imoHolders.set(imo, { mmsi: track.mmsi, at, eventId });
    return flag;
  }

  /** The flag of problem `key`, unless the vessel's state remembers it raised (then null). */
  private raiseOnce(
    track: VesselTrack,
    state: IdentityState,
    key: string,
    severity: Severity,
    at: number,
    evidence: string[],
    body: { observed: Record<string, unknown>; threshold: Record<string, unknown>; explanation: string },
  ): Decision | null {
    const keys = (state.keys ??= []);
    if (keys.includes(key)) return null;
    keys.push(key);
    if (keys.length > this.cfg.maxRememberedChangesPerVessel) keys.shift();
    return this.flag(track, key, severity, at, evidence, body);
  }

  private flag(
    track: VesselTrack,
    key: string,
    severity: Severity,
    at: number,
    evidence: string[],
    body: { observed: Record<string, unknown>; threshold: Record<string, unknown>; explanation: string },
  ): Decision {
    return raise({
      rule: 'identity-change',
      key,
      severity,
      mmsi: track.mmsi,
      atMs: at,
      evidence,
      ...body,
    });
  }
}

const FIELD_NAMES: Record<IdentityField, string> = {
  name: 'the name',
  callsign: 'call sign',
  imo: 'IMO',
  flag: 'flag',
};

/** AIS pads text with '@' and spaces; case differences are not identity changes. */
export function normaliseText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value.replace(/@+/g, ' ').replace(/\s+/g, ' ').trim().toUpperCase();
  return text === '' ? null : text;
}

/** Digits of an IMO number, or null for "none" (0, empty) and malformed values. */
export function normaliseImo(value: string | undefined): string | null {
  if (value === undefined) return null;
  const digits = value.replace(/^IMO\s*/i, '').trim();
  if (!/^\d{7}$/.test(digits) || /^0+$/.test(digits)) return null;
  return digits;
}

/** IMO ship numbers: the 7th digit is the sum of the first six weighted 7..2, modulo 10. */
export function imoCheckDigitValid(imo: string): boolean {
  if (!/^\d{7}$/.test(imo)) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(imo[i]) * (7 - i);
  return sum % 10 === Number(imo[6]);
}
