import type { AidEvent, FieldError } from '@aidwatch/domain';

/** Default of `MAX_FUTURE_SKEW` (seconds): clocks of producers and receivers drift by seconds, rarely minutes. */
export const defaultMaxFutureSkewSec = 300;

/**
 * The event-time fields of an event dated beyond the time it was received plus the allowed clock skew:
 * CloudEvents `time` and the fact time `data.at`. Such an event is refused at intake (HTTP 400, Kafka
 * dead letter) and never reaches detection, where a date years ahead would otherwise move clocks for good.
 * `receivedAtMs` is the receiver's wall clock (epoch ms); empty when the event is acceptable.
 */
export function futureDatedProblems(event: AidEvent, receivedAtMs: number, maxSkewMs: number): FieldError[] {
  const limit = receivedAtMs + maxSkewMs;
  const problems: FieldError[] = [];
  const check = (field: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const at = Date.parse(value);
    if (Number.isFinite(at) && at > limit)
      problems.push({
        field,
        message:
          `${value} is later than the time received (${new Date(receivedAtMs).toISOString()}) plus the ` +
          `allowed clock skew of ${Math.round(maxSkewMs / 1000)} s (MAX_FUTURE_SKEW)`,
      });
  };
  check('time', event.time);
  check('data.at', (event.data as { at?: unknown } | undefined)?.at);
  return problems;
}

export const futureDatedReason = 'dated in the future';
