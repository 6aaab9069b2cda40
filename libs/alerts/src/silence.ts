import { validateMatcher, allMatch, MatcherLimits, type Matcher } from './matcher';
import type { AlertLabels } from './alert-labels';

/**
 * A silence mutes notifications (webhooks) of the alerts its matchers select while `startsAt <= t < endsAt`
 * (Alertmanager semantics); the alerts themselves keep their lifecycle and stay visible.
 */
export interface Silence {
  silenceId: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  /** Organisation the silence belongs to (its creator's tenant); absent for operators' global silences. */
  tenant?: string;
  /** Set when expired early (`DELETE /silences/:id`). */
  expiredAt?: string;
  expiredBy?: string;
}

export interface SilenceCreatedData extends Silence {
  at: string;
}
export interface SilenceExpiredData {
  silenceId: string;
  by: string;
  at: string;
}

export class InvalidSilenceError extends Error {}

/**
 * Checks a silence before it is stored: at least one matcher, valid matchers, `endsAt` after `startsAt` and
 * after now. An organisation's silence carries one matcher more than its creator gave, AidWatch's own
 * `organisation` matcher: it does not count towards the limit.
 */
export function validateSilence(
  s: Pick<Silence, 'matchers' | 'startsAt' | 'endsAt'> & { tenant?: string },
  now: string,
): void {
  if (!Array.isArray(s.matchers) || s.matchers.length === 0)
    throw new InvalidSilenceError('a silence needs at least one matcher');
  const given = s.tenant === undefined ? s.matchers.length : s.matchers.length - 1;
  if (given > MatcherLimits.matchers)
    throw new InvalidSilenceError(`a silence has at most ${MatcherLimits.matchers} matchers`);
  s.matchers.forEach(validateMatcher);
  const starts = Date.parse(s.startsAt);
  const ends = Date.parse(s.endsAt);
  if (Number.isNaN(starts) || Number.isNaN(ends))
    throw new InvalidSilenceError('startsAt and endsAt must be RFC 3339 times');
  if (ends <= starts) throw new InvalidSilenceError('endsAt must be after startsAt');
  if (ends <= Date.parse(now)) throw new InvalidSilenceError('endsAt is already past');
}

export function silenceState(s: Silence, at: string): 'pending' | 'active' | 'expired' {
  const t = Date.parse(at);
  const end = Math.min(Date.parse(s.endsAt), s.expiredAt ? Date.parse(s.expiredAt) : Infinity);
  if (t >= end) return 'expired';
  return t < Date.parse(s.startsAt) ? 'pending' : 'active';
}

/**
 * The silences active at `at` whose matchers all match the labels. `seenBy` (optional) gives the labels as
 * an organisation sees them (another organisation's consignments, exemptions, organisation names and sites
 * left out): an organisation's silence is matched against those only, so its matchers can never select an
 * alert by, nor reveal through `silencedBy`, another organisation's identifiers. Operators' silences match
 * the full labels.
 */
export function silencesMuting(
  silences: Iterable<Silence>,
  labels: AlertLabels,
  at: string,
  seenBy?: (tenant: string) => AlertLabels | undefined,
): Silence[] {
  const found: Silence[] = [];
  for (const s of silencesMatching(silences, labels, seenBy))
    if (silenceState(s, at) === 'active') found.push(s);
  return found;
}

/**
 * The silences whose matchers all match the labels, whatever their time window (see `silencesMuting`;
 * a tenant's silence is matched against `seenBy(tenant)` when given, and matches nothing when that is
 * undefined: an alert the organisation does not see).
 */
export function silencesMatching(
  silences: Iterable<Silence>,
  labels: AlertLabels,
  seenBy?: (tenant: string) => AlertLabels | undefined,
): Silence[] {
  const views = new Map<string, AlertLabels | undefined>();
  const viewOf = (tenant: string | undefined): AlertLabels | undefined => {
    if (tenant === undefined || seenBy === undefined) return labels;
    if (!views.has(tenant)) views.set(tenant, seenBy(tenant));
    return views.get(tenant);
  };
  const found: Silence[] = [];
  for (const s of silences) {
    const view = viewOf(s.tenant);
    if (view !== undefined && allMatch(s.matchers, view)) found.push(s);
  }
  return found;
}

/**
 * Whom a silence mutes: an organisation's silence mutes only that organisation's notifications and views
 * (`recipient` its tenant); an operator's silence (no tenant) mutes every recipient's, explicitly across
 * organisations. `recipient` undefined: an operator's view or subscription, muted only by operators' silences.
 */
export function silenceApplies(silence: Pick<Silence, 'tenant'>, recipient: string | undefined): boolean {
  return silence.tenant === undefined || silence.tenant === recipient;
}
