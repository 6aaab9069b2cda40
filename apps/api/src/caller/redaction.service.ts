import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyGrant, ApiKeyStore } from '@aidwatch/access';
import {
  labelsSeenBy,
  redactAlertFor,
  redactFor,
  redactPublishedFor,
  type AlertHistoryEntry,
  type AlertLabels,
  type AlertLike,
  type AuthorStanding,
  type RedactionFacts,
} from '@aidwatch/alerts';
import type { StoredEvent } from '@aidwatch/event-store';
import { API_KEY_STORE } from '@aidwatch/runtime';
import { AlertsService } from '../alerts/alerts.service';
import type { Caller } from './principal';

/** The consignments a stored flag or lifecycle event concerns (a lifecycle event names its alert's). */
export function consignmentIdsOf(event: Pick<StoredEvent, 'data'>): string[] {
  const data = (event.data as { data?: { consignmentIds?: string[]; alert?: { consignmentIds?: string[] } } })
    .data;
  return (data?.alert ?? data)?.consignmentIds ?? [];
}

/** Every value under a `consignmentId` or `consignmentIds` key, anywhere in `value` (walked without recursion). */
function consignmentIdsIn(value: unknown): Set<string> {
  const ids = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) {
        if (k === 'consignmentId' && typeof item === 'string') ids.add(item);
        else if (k === 'consignmentIds' && Array.isArray(item))
          for (const id of item) if (typeof id === 'string') ids.add(id);
        stack.push(item);
      }
  }
  return ids;
}

/** A stored flag or lifecycle CloudEvent as published (stream frame, webhook payload). */
export type PublishedEvent = { type?: string; data?: unknown };

/** Turns a payload about `consignmentIds` into what one reader may receive. */
export type Redact = <T>(value: T, consignmentIds: readonly string[]) => T;

/**
 * Redaction per reader for the API's answers, streams and webhooks. What a reader receives is decided by
 * the pure functions of `@aidwatch/alerts` (redaction.ts: `redactFor`, `redactAlertFor`,
 * `redactPublishedFor`, `labelsSeenBy`); this service only looks up what they need to know: ownership
 * from the alert book (the one ownership model) and the standing of authors from the key store.
 */
@Injectable()
export class RedactionService {
  private readonly authors = new Map<string, Pick<ApiKeyGrant, 'role' | 'tenant'>>();

  constructor(
    private readonly alerts: AlertsService,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
  ) {}

  /** The redaction for a reader of organisation `tenant` (none for operators: `tenant` undefined). */
  forTenant(tenant: string | undefined): Redact {
    if (tenant === undefined) return (value) => value;
    const facts = this.ownership();
    return (value, consignmentIds) => redactFor({ tenant }, value, { consignmentIds }, facts);
  }

  forCaller(caller: Pick<Caller, 'tenant'>): Redact {
    return this.forTenant(caller.tenant);
  }

  /**
   * An alert's labels as organisation `tenant` may match on them (filters of lists, streams and
   * subscriptions): only its own consignments, exemptions, organisation and sites, so a filter naming
   * another organisation's identifier finds nothing, and reveals nothing.
   */
  labels(labels: AlertLabels, tenant: string | undefined): AlertLabels {
    return labelsSeenBy({ tenant }, labels, this.alerts.book.ownershipOf);
  }

  /**
   * Redacts a whole answer (a consignment with its flags, a timeline) for organisation `tenant`: the
   * consignments judged are every `consignmentId` and `consignmentIds` value found in it.
   */
  whole<T>(value: T, tenant: string | undefined): T {
    if (tenant === undefined) return value;
    return this.forTenant(tenant)(value, [...consignmentIdsIn(value)]);
  }

  /** An alert (or its view, with or without history) as organisation `tenant` may see it (`redactAlertFor`). */
  async alert<T extends AlertLike>(alert: T, tenant: string | undefined): Promise<T> {
    if (tenant === undefined) return alert;
    const authors = [...(alert.history ?? []).map((entry) => entry.by)];
    return redactAlertFor({ tenant }, alert, await this.facts(authors));
  }

  /** An alert's history with each author named readably (`byName`). */
  async named(history: readonly AlertHistoryEntry[]): Promise<Array<AlertHistoryEntry & { byName: string }>> {
    const names = await Promise.all(history.map((entry) => this.authorName(entry.by)));
    return history.map((entry, i) => ({ ...entry, byName: names[i]! }));
  }

  /**
   * Who `by` (a history entry's author) is, readably: an API key's label, else its role and tenant
   * (`dashboard of World Food Programme`, `operator`); a token's subject; `detector` as it is.
   */
  async authorName(by: string): Promise<string> {
    if (by.startsWith('key:')) {
      const key = await this.keys.find(by.slice('key:'.length));
      if (!key) return 'unknown key';
      return key.label || (key.tenant ? `${key.role} of ${key.tenant}` : key.role);
    }
    if (by.startsWith('jwt:')) return by.slice(by.indexOf('#') + 1) || 'identity provider token';
    return by;
  }

  /**
   * A published flag or lifecycle event (stream frame, webhook payload) as organisation `tenant` may
   * receive it (`redactPublishedFor`).
   */
  async event<T extends PublishedEvent>(
    published: T,
    consignmentIds: readonly string[],
    tenant: string | undefined,
  ): Promise<T> {
    if (tenant === undefined) return published;
    const by = (published.data as { by?: unknown } | undefined)?.by;
    const facts = await this.facts(typeof by === 'string' ? [by] : []);
    return redactPublishedFor({ tenant }, published, { consignmentIds }, facts);
  }

  /** Ownership from the alert book, and no author known. */
  private ownership(): RedactionFacts {
    return { ownerOf: this.alerts.book.ownershipOf };
  }

  /** Ownership, and the standing of the API keys among `authors` (a token's is not known). */
  private async facts(authors: readonly string[]): Promise<RedactionFacts> {
    const standings = new Map<string, AuthorStanding>();
    for (const by of new Set(authors)) {
      if (!by.startsWith('key:')) continue;
      const grant = await this.keyGrant(by.slice('key:'.length));
      if (grant)
        standings.set(by, {
          operator: grant.role === 'operator' || grant.role === 'admin',
          ...(grant.tenant !== undefined ? { tenant: grant.tenant } : {}),
        });
    }
    return { ownerOf: this.alerts.book.ownershipOf, authorOf: (by) => standings.get(by) };
  }

  /** A key's role and tenant (a key's grant never changes, so a found one is remembered). */
  private async keyGrant(id: string): Promise<Pick<ApiKeyGrant, 'role' | 'tenant'> | undefined> {
    const known = this.authors.get(id);
    if (known) return known;
    const key = await this.keys.find(id);
    if (!key) return undefined;
    if (this.authors.size > 10_000) this.authors.clear();
    const grant = { role: key.role, ...(key.tenant !== undefined ? { tenant: key.tenant } : {}) };
    this.authors.set(id, grant);
    return grant;
  }
}
