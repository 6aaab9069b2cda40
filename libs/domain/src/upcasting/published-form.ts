import { EventTypes, SupersededEventTypes } from '../event-types';

/**
 * Names under which AidWatch publishes (Kafka `aidwatch.alerts.v1`, `GET /alerts/stream`, webhooks) the
 * types whose stored version moved on while the contract's name stays. The store records flags as
 * `aidwatch.flag.raised.v2` — a flag names no person (contract 1.2), and flags stored before are upcast on
 * read — but consumers built on the contract's `aidwatch.flag.raised.v1` keep receiving that name: v2 has
 * exactly the contract's flag fields, and `observed` is rule-specific (docs/contract.md, "Flags").
 */
export const PublishedTypeNames: Readonly<Record<string, string>> = {
  [EventTypes.FlagRaised]: SupersededEventTypes.FlagRaisedV1,
};

/** The name a stored type is published under (itself for most types). */
export function publishedTypeOf(type: string): string {
  return PublishedTypeNames[type] ?? type;
}

/** An event (a CloudEvent, or anything with a `type`) as it is published: its type under its published name. */
export function publishedForm<E>(event: E): E {
  const type = (event as { type?: unknown } | null)?.type;
  const published = typeof type === 'string' ? PublishedTypeNames[type] : undefined;
  return published === undefined ? event : { ...event, type: published };
}
