import { EventTypes, SupersededEventTypes } from '../event-types';
import type { Upcaster } from './upcaster-registry';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How the v1 sentences of `access-denied`, `monitor-finding` and `quantity-shrinkage` opened. */
const V1_MONITOR_OPENING = /^Monitor (.+?) (was denied access to|reported|accounted for) /s;

/**
 * A v1 explanation without the monitor's id: `Monitor MON-017 was denied access to …` becomes `A monitor was
 * denied access to …`, likewise `… reported …` and `… accounted for …` (the only v1 sentences that named a
 * person). An id the flag's own `observed` names is matched exactly; any other opening by its verb.
 */
export function explanationWithoutMonitor(explanation: string, knownIds: readonly string[]): string {
  for (const id of knownIds) {
    const opening = `Monitor ${id} `;
    if (id.length > 0 && explanation.startsWith(opening))
      return `A monitor ${explanation.slice(opening.length)}`;
  }
  return explanation.replace(V1_MONITOR_OPENING, 'A monitor $2 ');
}

/** A v1 `observed` without identities: `monitorId` dropped, `monitors` (ids) as their number, order kept. */
function observedWithoutMonitors(observed: JsonObject): JsonObject {
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(observed)) {
    if (key === 'monitorId') continue;
    if (key === 'monitors') {
      if (Array.isArray(value)) entries.push([key, new Set(value.map((v) => JSON.stringify(v))).size]);
      else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) entries.push([key, value]);
      continue; // anything else may be an id: left out
    }
    entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}

function monitorIdsOf(observed: unknown): string[] {
  if (!isObject(observed)) return [];
  const ids = Array.isArray(observed.monitors) ? observed.monitors : [];
  return [observed.monitorId, ...ids].filter((id): id is string => typeof id === 'string');
}

/**
 * `aidwatch.flag.raised.v1` → `.v2`: a flag no longer names a person. What changed:
 * - `observed.monitors` (`access-denied`) held the ids of the monitors turned away; v2 holds their number;
 * - `observed.monitorId` (`monitor-finding`) is gone; the verification is cited by its event id in
 *   `evidence`, whose monitor field is encrypted per data subject (and unreadable once forgotten);
 * - `explanation` says "A monitor …" where v1 opened with "Monitor <id> …";
 * - the envelope's `type` is the v2 type. `flagId`, `fingerprint`, `evidence` and every other field are
 *   unchanged, so a v1 flag and the v2 flag the same evidence raises today are the same flag.
 * Total: data of any other shape passes through with only what it recognises changed.
 */
export const flagRaisedV1ToV2: Upcaster = {
  from: SupersededEventTypes.FlagRaisedV1,
  to: EventTypes.FlagRaised,
  upcast(data: unknown): unknown {
    if (!isObject(data)) return data;
    const envelope =
      data.type === SupersededEventTypes.FlagRaisedV1
        ? { ...data, type: EventTypes.FlagRaised }
        : { ...data };
    const flag = data.data;
    if (!isObject(flag)) return envelope;
    const known = monitorIdsOf(flag.observed);
    return {
      ...envelope,
      data: {
        ...flag,
        ...(isObject(flag.observed) && { observed: observedWithoutMonitors(flag.observed) }),
        ...(typeof flag.explanation === 'string' && {
          explanation: explanationWithoutMonitor(flag.explanation, known),
        }),
      },
    };
  },
};
