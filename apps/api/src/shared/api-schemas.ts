import { RuleIds, Severities } from '@aidwatch/domain';
import type { ApiSchema } from '@aidwatch/runtime';

// The JSON Schemas of the API's answers, as OpenAPI documents them (`GET /docs-json`). The names of
// required properties are what a client may rely on; answers may carry more (additional properties are
// allowed, so adding a field is not a breaking change). test/openapi.e2e.spec.ts validates real answers of
// every operation against the served document, so these cannot drift from what the server sends.

const str: ApiSchema = { type: 'string' };
const int: ApiSchema = { type: 'integer', minimum: 0 };
const time: ApiSchema = { type: 'string', format: 'date-time' };
const nullable = (schema: ApiSchema): ApiSchema => ({ ...schema, nullable: true });
const strings: ApiSchema = { type: 'array', items: str };
const object = (
  required: string[],
  properties: Record<string, ApiSchema>,
  description?: string,
): ApiSchema => ({
  type: 'object',
  ...(description && { description }),
  required,
  properties,
});
const list = (items: ApiSchema, extra: Record<string, ApiSchema> = {}): ApiSchema =>
  object(['items'], { items: { type: 'array', items }, ...extra });

const severity: ApiSchema = { type: 'string', enum: [...Severities] };
const rule: ApiSchema = { type: 'string', enum: [...RuleIds] };
const subject = object(['kind', 'id'], {
  kind: { type: 'string', enum: ['consignment', 'vessel'] },
  id: str,
});
/** `[lon, lat]`, GeoJSON order. */
const lonLat: ApiSchema = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };

/** A risk flag (docs/contract.md, "Flags"); names no person. */
export const FlagSchema = object(
  [
    'flagId',
    'fingerprint',
    'rule',
    'severity',
    'subject',
    'consignmentIds',
    'observed',
    'threshold',
    'evidence',
    'explanation',
    'raisedAt',
  ],
  {
    flagId: str,
    fingerprint: {
      type: 'string',
      description: 'identifies the problem: rule + subject + rule-specific key',
    },
    rule,
    severity,
    subject,
    consignmentIds: strings,
    observed: { type: 'object', description: 'the values the rule saw' },
    threshold: { type: 'object', description: 'the thresholds it compared them with' },
    evidence: { ...strings, description: 'ids of the events the flag rests on' },
    explanation: { type: 'string', description: 'a sentence a monitor can act on' },
    raisedAt: { ...time, description: 'event time' },
    reopened: {
      type: 'integer',
      minimum: 1,
      description: 'absent the first time; k when raised again on the same evidence after its k-th clear',
    },
  },
  'a risk flag',
);

export const FlagsPageSchema = list(
  {
    allOf: [
      FlagSchema,
      object(['status', 'cursor'], {
        status: { type: 'string', enum: ['open', 'cleared'] },
        clearedAt: time,
        cursor: { type: 'string', description: 'store position of the raise; `after=` resumes after it' },
      }),
    ],
  },
  { next: nullable({ type: 'string', description: 'pass as `after` for the next page; absent at the end' }) },
);

/** A quantity in the item's unit at one step; null: the step has not happened yet. */
const quantity = nullable({ type: 'number', minimum: 0 });

const consignmentItem = object(['itemCode'], {
  itemCode: str,
  unit: str,
  description: str,
  exempted: { type: 'boolean' },
  registered: quantity,
  loaded: quantity,
  discharged: quantity,
  custody: quantity,
  delivered: quantity,
  verified: quantity,
});

const consignmentProperties = {
  consignmentId: str,
  exemptionId: str,
  status: { type: 'string', description: 'lifecycle state, e.g. registered, loaded, delivered, verified' },
  held: { type: 'boolean', description: 'detection holds its events until the registration arrives' },
  vessel: object(['mmsi'], { mmsi: str, imo: str, name: str }),
  items: { type: 'array', items: consignmentItem, description: 'quantities per item per step' },
  risk: { type: 'string', enum: ['none', ...Severities], description: 'highest severity among open flags' },
} satisfies Record<string, ApiSchema>;

export const ConsignmentsPageSchema = list(
  object(['consignmentId', 'status', 'risk', 'openFlags'], { ...consignmentProperties, openFlags: int }),
);

export const ConsignmentSchema = object(['consignmentId', 'status', 'risk', 'items', 'flags'], {
  ...consignmentProperties,
  flags: { type: 'array', items: FlagSchema, description: 'open flags, vessel flags naming it included' },
});

export const TimelineSchema = object(['consignmentId', 'items'], {
  consignmentId: str,
  items: {
    type: 'array',
    items: object(['position', 'streamId', 'revision', 'id', 'type', 'recordedAt', 'event'], {
      position: str,
      streamId: str,
      revision: int,
      id: str,
      type: str,
      recordedAt: time,
      time: str,
      hash: str,
      event: { type: 'object', description: 'the stored CloudEvent' },
    }),
  },
  next: nullable({ type: 'string', description: 'pass as `after` for the next page' }),
  previous: nullable({ type: 'string', description: 'pass as `before` for the page before' }),
});

const track: ApiSchema = {
  type: 'array',
  description: '[lon, lat, time] fixes, oldest first',
  items: {
    type: 'array',
    minItems: 3,
    maxItems: 3,
    items: { oneOf: [{ type: 'number' }, { type: 'string' }] },
  },
};
export const ConsignmentMapSchema = object(
  ['consignmentId', 'vessel', 'partners', 'ports', 'sites', 'alerts'],
  {
    consignmentId: str,
    vessel: nullable(object(['mmsi', 'track'], { mmsi: str, imo: str, name: str, track })),
    partners: {
      type: 'array',
      items: object(['mmsi', 'track'], {
        mmsi: str,
        name: { type: 'string', description: 'the name the vessel used when the carrier met it' },
        currentName: { type: 'string', description: 'its newest reported name, when it has changed since' },
        track,
      }),
    },
    ports: {
      type: 'array',
      items: object(['locode', 'location'], { locode: str, name: str, location: lonLat }),
    },
    sites: {
      type: 'array',
      items: object(['siteId', 'location'], { siteId: str, name: str, location: lonLat }),
    },
    alerts: {
      type: 'array',
      items: object(['alertId', 'rule', 'severity', 'status'], {
        alertId: str,
        rule,
        severity,
        status: str,
        location: nullable(lonLat),
        explanation: { type: 'string', description: "the explanation of the alert's newest flag" },
        raisedAt: { ...time, description: 'when the alert was first raised' },
        flagRaisedAt: { ...time, description: 'when the flag whose explanation is given was raised' },
      }),
    },
    route: { description: 'the declared route, when there is one' },
    steps: { type: 'array', items: { type: 'object' } },
  },
);

const alertStatus: ApiSchema = { type: 'string', enum: ['firing', 'acknowledged', 'resolved'] };
export const AlertSchema = object(
  ['alertId', 'rule', 'severity', 'status', 'subject', 'consignmentIds', 'labels'],
  {
    alertId: str,
    rule,
    severity,
    status: alertStatus,
    subject,
    consignmentIds: strings,
    labels: { type: 'object', additionalProperties: strings, description: 'what filters and silences match' },
    flag: FlagSchema,
    flagIds: strings,
    openFlagIds: strings,
    occurrences: int,
    firstRaisedAt: time,
    lastRaisedAt: time,
    silencedBy: strings,
    inhibitedBy: strings,
    history: {
      type: 'array',
      items: object(['type', 'at'], {
        type: str,
        at: time,
        by: str,
        byName: {
          type: 'string',
          description: "who, readably: the credential's label, else its role (and tenant); detector",
        },
        note: nullable(str),
        organisation: {
          type: 'string',
          description: '(v1.8) the organisation whose own view of a shared alert the action changed',
        },
      }),
      description: 'who did what, when and why: the first entry and the 499 newest',
    },
    historyOmitted: {
      type: 'integer',
      description:
        '(v1.12) entries dropped between the first and the newest kept; the alert stream in the store keeps every one',
    },
    assignee: str,
    organisations: {
      type: 'object',
      additionalProperties: object(['status'], { status: alertStatus, assignee: str }),
      description:
        "(v1.8, operators only) each organisation's own view of a shared alert it acted on: status, assignee",
    },
  },
  'an alert: one per problem (the flag fingerprint), however often re-detected',
);
export const AlertsPageSchema = list(AlertSchema);

export const VesselSchema = object(['mmsi', 'track', 'flags', 'alerts', 'consignments'], {
  mmsi: str,
  name: { type: 'string', description: 'the newest reported name' },
  names: {
    type: 'array',
    items: object(['name', 'from'], { name: str, from: time }),
    description: 'every name reported in AIS static data, oldest first, each from the time first reported',
  },
  imo: str,
  callsign: str,
  flagState: { type: 'string', description: 'flag state reported in AIS static data' },
  track,
  flags: {
    type: 'array',
    items: FlagSchema,
    description: 'flags about the vessel, oldest first, open and cleared',
  },
  alerts: {
    type: 'array',
    items: object(['alertId', 'rule', 'severity', 'status', 'vessels', 'consignmentIds'], {
      alertId: str,
      rule,
      severity,
      status: alertStatus,
      vessels: { ...strings, description: 'every vessel the alert names (both of an encounter)' },
      consignmentIds: strings,
      explanation: str,
      lastRaisedAt: time,
    }),
    description: 'alerts naming the vessel, newest first',
  },
  consignments: {
    type: 'array',
    items: object(['consignmentId', 'status', 'risk'], {
      consignmentId: str,
      exemptionId: str,
      status: str,
      risk: { type: 'string', enum: ['none', ...Severities] },
      originPort: nullable(str),
      destinationPort: nullable(str),
    }),
    description: 'consignments registered on the vessel that the caller may see',
  },
});

export const MeSchema = object(
  ['subject', 'role'],
  {
    subject: { type: 'string', description: '`key:<id>` or `jwt:<iss>#<sub>`' },
    role: { type: 'string', enum: ['producer', 'monitor', 'dashboard', 'operator', 'admin'] },
    tenant: { type: 'string', description: 'the organisation a tenant-bound credential reads as' },
    label: { type: 'string', description: "the key's label, or the token's subject" },
    monitorId: str,
    sources: {
      type: 'array',
      items: str,
      description:
        "the CloudEvents sources a producer or monitor credential may write under (a monitor without its own: its organisation's namespace)",
    },
  },
  'the signed-in credential, never its secret',
);
export const AlertGroupsSchema = list(
  object(['consignmentId', 'alerts', 'firing', 'acknowledged', 'highestSeverity'], {
    consignmentId: str,
    alerts: strings,
    firing: int,
    acknowledged: int,
    highestSeverity: severity,
  }),
);

export const SilenceSchema = object(['silenceId', 'matchers', 'endsAt'], {
  silenceId: str,
  matchers: { type: 'array', items: { type: 'object' } },
  startsAt: time,
  endsAt: time,
  comment: str,
  createdBy: str,
  state: { type: 'string', enum: ['pending', 'active', 'expired'] },
});
export const SilencesSchema = list(SilenceSchema);

export const SubscriptionSchema = object(['subscriptionId', 'url', 'createdAt'], {
  subscriptionId: str,
  url: { type: 'string', format: 'uri' },
  filters: { type: 'object' },
  tenant: str,
  createdBy: str,
  createdAt: time,
});
export const CreatedSubscriptionSchema: ApiSchema = {
  allOf: [
    SubscriptionSchema,
    object(['secret'], {
      secret: { type: 'string', description: 'whsec_…: shown once; verifies signatures' },
    }),
  ],
};
export const SubscriptionsSchema = list(SubscriptionSchema);
export const DeliverySchema = object(
  ['deliveryId', 'subscriptionId', 'eventId', 'eventType', 'status', 'attempts'],
  {
    deliveryId: { type: 'string', description: 'the webhook-id header, stable across retries' },
    subscriptionId: str,
    eventId: str,
    eventType: str,
    status: { type: 'string', enum: ['pending', 'delivered', 'dead'] },
    attempts: int,
    nextAttemptAt: nullable(time),
    lastError: nullable(str),
    createdAt: time,
    deliveredAt: nullable(time),
    claimedBy: nullable({
      type: 'string',
      description:
        'added in v1.5: the API process holding a claim on the delivery (sending it now, or until claimedUntil if it stopped); null when none',
    }),
    claimedUntil: nullable({ ...time, description: 'added in v1.5: when that claim expires' }),
  },
);
export const DeliveriesSchema = list(DeliverySchema);
export const DeliveryWithAttemptsSchema: ApiSchema = {
  allOf: [
    DeliverySchema,
    object(['attemptLog'], {
      attemptLog: {
        type: 'array',
        items: object(['attempt', 'at'], {
          attempt: int,
          at: time,
          statusCode: nullable({ type: 'integer' }),
          error: nullable(str),
          durationMs: int,
        }),
      },
    }),
  ],
};

export const StreamSchema = object(['streamId', 'events'], {
  streamId: str,
  next: nullable({
    ...int,
    description:
      'added in v1.13: the revision to pass as `from` for the following page in the same direction; null when none follows',
  }),
  events: {
    type: 'array',
    items: object(['revision', 'position', 'id', 'type', 'recordedAt'], {
      revision: int,
      position: str,
      id: str,
      type: str,
      recordedAt: time,
      metadata: { type: 'object', description: 'channel, hash chain link' },
      event: { type: 'object', description: 'the stored CloudEvent' },
    }),
  },
});

export const VerificationReportSchema = object(
  ['ok', 'events', 'streams', 'checkpoints', 'broken', 'firstBroken'],
  {
    ok: { type: 'boolean' },
    events: int,
    streams: int,
    checkpoints: int,
    latestRoot: nullable(str),
    broken: int,
    firstBroken: nullable(
      object(['reason'], {
        streamId: str,
        revision: int,
        eventId: str,
        position: str,
        file: str,
        reason: str,
      }),
    ),
    archived: int,
    fromArchives: int,
  },
);

export const ApiKeySchema = object(['id', 'role', 'createdAt'], {
  id: str,
  role: { type: 'string', enum: ['producer', 'monitor', 'dashboard', 'operator', 'admin'] },
  tenant: str,
  sources: strings,
  monitorId: str,
  label: str,
  createdAt: time,
  revokedAt: time,
});
export const CreatedApiKeySchema: ApiSchema = {
  allOf: [
    ApiKeySchema,
    object(['key'], { key: { type: 'string', description: 'awk_<id>_<secret>: shown once' } }),
  ],
};
export const ApiKeysSchema = list(ApiKeySchema);

export const SchemaIndexSchema = object(['schemas'], { schemas: strings });
