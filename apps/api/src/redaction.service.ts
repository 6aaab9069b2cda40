import { Inject, Injectable } from '@nestjs/common';
import {
  foreignIdentifiers,
  REDACTED,
  redactIdentifiers,
  type ApiKeyGrant,
  type ApiKeyStore,
} from '@aidwatch/access';
import type { Alert, AlertHistoryEntry, AlertLabels } from '@aidwatch/alerts';
import type { StoredEvent } from '@aidwatch/event-store';
import { API_KEY_STORE } from '@aidwatch/runtime';
import { AlertsService } from './alerts.service';
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
 * Redaction per reader (`@aidwatch/access` redaction.ts) for the API's answers, streams and webhooks: a
 * tenant-bound reader receives its own organisation's consignment ids, exemptions, organisation and
 * sites only; operators everything. Ownership comes from the alert book (the one ownership model).
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
    return (value, consignmentIds) =>
      redactIdentifiers(value, foreignIdentifiers(tenant, consignmentIds, this.alerts.book.ownershipOf));
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
    return tenant === undefined ? labels : this.forTenant(tenant)(labels, labels.consignmentId);
  }

  /**
   * Redacts a whole answer (a consignment with its flags, a timeline) for organisation `tenant`: the
   * consignments judged are every `consignmentId` and `consignmentIds` value found in it.
   */
  whole<T>(value: T, tenant: string | undefined): T {
    if (tenant === undefined) return value;
    return this.forTenant(tenant)(value, [...consignmentIdsIn(value)]);
  }

  /**
   * An alert's history as a tenant-bound reader may see it: entries by its own organisation's
   * credentials and by operators whole; another organisation's (or an unknown token's) without note,
   * assignee or author, on an alert shared with other organisations.
   */
  async history(
    alert: Pick<Alert, 'history' | 'labels'>,
    tenant: string | undefined,
  ): Promise<Array<AlertHistoryEntry & { byName: string }>> {
    const entries = alert.history;
    const names = await Promise.all(entries.map((entry) => this.authorName(entry.by)));
    if (tenant === undefined || this.alone(alert.labels, tenant))
      return entries.map((entry, i) => ({ ...entry, byName: names[i]! }));
    const shown = await Promise.all(entries.map((entry) => this.mayShowAuthor(entry.by, tenant)));
    return entries.map((entry, i) => {
      if (shown[i]) return { ...entry, byName: names[i]! };
      const { note: _note, assignee: _assignee, ...rest } = entry;
      return { ...rest, by: REDACTED, byName: REDACTED };
    });
  }

  /**
   * An alert as a tenant-bound reader may see its `assignee`: kept when the alert is its organisation's
   * alone, or when the latest assignment was made by its own organisation's credential, an operator or
   * the detector; otherwise left out (like the assignee of that entry in the history).
   */
  async withoutForeignAssignee<T extends Pick<Alert, 'history' | 'labels'> & { assignee?: string }>(
    alert: T,
    tenant: string | undefined,
  ): Promise<T> {
    if (tenant === undefined || alert.assignee === undefined) return alert;
    if (this.alone(alert.labels, tenant)) return alert;
    const assigned = [...alert.history].reverse().find((entry) => entry.type === 'assigned');
    if (assigned !== undefined && (await this.mayShowAuthor(assigned.by, tenant))) return alert;
    const { assignee: _assignee, ...rest } = alert;
    return rest as T;
  }

  /**
   * Whether an alert concerns organisation `tenant` alone: every organisation it is shown to and every
   * consignment it names are the tenant's (a document flag shown to its first citer only still names the
   * later citers' consignments).
   */
  private alone(labels: Pick<AlertLabels, 'organisation' | 'consignmentId'>, tenant: string): boolean {
    return (
      labels.organisation.every((org) => org === tenant) &&
      labels.consignmentId.every((id) => this.alerts.book.ownerOf(id)?.organisation === tenant)
    );
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
   * receive it: identifiers redacted, and a lifecycle action by another organisation's credential
   * without its note, assignee or author.
   */
  async event<T extends PublishedEvent>(
    published: T,
    consignmentIds: readonly string[],
    tenant: string | undefined,
  ): Promise<T> {
    if (tenant === undefined) return published;
    const redacted = this.forTenant(tenant)(published, consignmentIds);
    const data = redacted.data as { by?: string; note?: string; assignee?: string } | undefined;
    if (!data || typeof data.by !== 'string' || (await this.mayShowAuthor(data.by, tenant))) return redacted;
    const { note: _note, assignee: _assignee, ...rest } = data;
    return { ...redacted, data: { ...rest, by: REDACTED } };
  }

  /** Detector entries, the reader's organisation's keys and operators' keys are shown. */
  private async mayShowAuthor(by: string, tenant: string): Promise<boolean> {
    if (!by.startsWith('key:') && !by.startsWith('jwt:')) return true;
    if (!by.startsWith('key:')) return false;
    const key = await this.keyGrant(by.slice('key:'.length));
    if (!key) return false;
    return key.tenant === tenant || key.role === 'operator' || key.role === 'admin';
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
