import { CatalogueEntries, type CatalogueEntry } from './event-catalogue';
import { InternalEventTypes } from './internal-event-catalogue';
import { EventTypes, SupersededEventTypes, Topics } from './event-types';
import { publishedTypeOf } from './upcasting/published-form';
import { RuleIds, Severities } from './flag';
import { eventSchemaOf, type JsonSchema } from './validation/json-schemas';

const NON_EMPTY = { type: 'string', pattern: '\\S' };
const TIME = { type: 'string', format: 'date-time' };
const SUBJECT = {
  type: 'object',
  required: ['kind', 'id'],
  properties: { kind: { enum: ['consignment', 'vessel'] }, id: NON_EMPTY },
};
const FLAG_COMMON = {
  flagId: NON_EMPTY,
  fingerprint: NON_EMPTY,
  rule: { enum: [...RuleIds] },
  subject: SUBJECT,
  consignmentIds: { type: 'array', items: NON_EMPTY },
  evidence: { type: 'array', items: NON_EMPTY, description: 'ids of the events the flag rests on' },
};

const FLAG_RAISED_V1: JsonSchema = {
  title: 'FlagRaised data (v1)',
  type: 'object',
  required: [...Object.keys(FLAG_COMMON), 'severity', 'observed', 'threshold', 'explanation', 'raisedAt'],
  properties: {
    ...FLAG_COMMON,
    severity: { enum: [...Severities] },
    observed: { type: 'object' },
    threshold: { type: 'object' },
    explanation: { ...NON_EMPTY, description: 'one sentence a monitor can act on' },
    raisedAt: { ...TIME, description: 'event time' },
  },
};

const NO_PERSON =
  'names no person: no monitor id, no recipient name (monitors are cited by the event ids in `evidence`)';

/** `data` of the outbound flag events (docs/contract.md, "Flags"), the superseded v1 included. */
export const FlagDataSchemas: Record<string, JsonSchema> = {
  [EventTypes.FlagRaised]: {
    ...FLAG_RAISED_V1,
    title: 'FlagRaised data',
    description: `The fields of v1; ${NO_PERSON}.`,
    properties: {
      ...(FLAG_RAISED_V1.properties as Record<string, JsonSchema>),
      observed: {
        type: 'object',
        description:
          `What the rule measured; ${NO_PERSON}. access-denied: \`monitors\` is the number of distinct ` +
          'monitors turned away (v1: their ids); monitor-finding has no `monitorId`.',
      },
      explanation: { ...NON_EMPTY, description: `one sentence a monitor can act on; ${NO_PERSON}` },
      reopened: {
        type: 'integer',
        minimum: 1,
        description:
          'absent the first time; k when the same flag (same id: the same evidence) is raised again after its k-th clear (added in v1.11)',
      },
    },
  },
  [SupersededEventTypes.FlagRaisedV1]: {
    ...FLAG_RAISED_V1,
    description:
      'As stored before contract 1.2 (`observed.monitors` held monitor ids). AidWatch still publishes flags ' +
      'under this name, with the data of the current version (`aidwatch.flag.raised.v2`, which names no person).',
  },
  [EventTypes.FlagCleared]: {
    title: 'FlagCleared data',
    type: 'object',
    required: [...Object.keys(FLAG_COMMON), 'reason', 'clearedAt'],
    properties: {
      ...FLAG_COMMON,
      reason: NON_EMPTY,
      clearedAt: TIME,
      reopened: {
        type: 'integer',
        minimum: 1,
        description: 'the `reopened` of the raise this clear ends; absent for the first (added in v1.11)',
      },
    },
  },
};

/**
 * The alert lifecycle types AidWatch publishes on `aidwatch.alerts.v1` (docs/contract.md, "Alerts"), from their
 * rows in `InternalEventCatalogue`; the alerts library writes them (`AlertEventTypes`).
 */
export const AlertLifecycleTypes = {
  acknowledged: InternalEventTypes.AlertAcknowledged,
  resolved: InternalEventTypes.AlertResolved,
  assigned: InternalEventTypes.AlertAssigned,
  commented: InternalEventTypes.AlertCommented,
} as const;

const ALERT_SUMMARY: JsonSchema = {
  type: 'object',
  description: 'the alert after the action, so consumers can filter and route without a lookup',
  required: ['alertId', 'rule', 'severity', 'subject', 'consignmentIds', 'status'],
  properties: {
    alertId: NON_EMPTY,
    rule: { enum: [...RuleIds] },
    severity: { enum: [...Severities] },
    subject: SUBJECT,
    consignmentIds: { type: 'array', items: NON_EMPTY },
    status: { enum: ['firing', 'acknowledged', 'resolved'] },
  },
};

/** `data` of one alert lifecycle type: who (`by`), when (`at`), why (`note`), and the alert after it. */
function alertLifecycleData(action: keyof typeof AlertLifecycleTypes): JsonSchema {
  return {
    title: `Alert ${action} data`,
    type: 'object',
    required: [
      'alertId',
      'by',
      'at',
      'alert',
      ...(action === 'resolved' ? ['note'] : []),
      ...(action === 'assigned' ? ['assignee'] : []),
      ...(action === 'commented' ? ['note'] : []),
    ],
    properties: {
      alertId: NON_EMPTY,
      by: { ...NON_EMPTY, description: "who: the credential's id (key:<id>) or the JWT subject" },
      at: { ...TIME, description: "when: the API's wall clock" },
      note: { type: 'string', description: action === 'commented' ? 'the comment' : 'why' },
      ...(action === 'assigned' && { assignee: { ...NON_EMPTY, description: 'a person or team' } }),
      organisation: {
        ...NON_EMPTY,
        description:
          "(added in v1.8) set when the action is one organisation's on its own view of an alert it shares " +
          "with other organisations: it changes that view only, and alert.status is that view's status",
      },
      alert: ALERT_SUMMARY,
    },
  };
}

/** `data` of each alert lifecycle type, by type. */
export const AlertLifecycleDataSchemas: Record<string, JsonSchema> = Object.fromEntries(
  (Object.keys(AlertLifecycleTypes) as Array<keyof typeof AlertLifecycleTypes>).map((action) => [
    AlertLifecycleTypes[action],
    alertLifecycleData(action),
  ]),
);

/** The whole outbound CloudEvent of a type (as published) with the given data schema. */
function outboundEventSchema(type: string, data: JsonSchema): JsonSchema {
  return {
    title: type,
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: NON_EMPTY,
      source: NON_EMPTY,
      type: { const: type },
      subject: NON_EMPTY,
      time: TIME,
      datacontenttype: { type: 'string' },
      data,
    },
  };
}

/**
 * The JSON Schemas of what AidWatch publishes on `aidwatch.alerts.v1` (and over SSE and webhooks), whole
 * event and data, by published type name: flags raised (under the contract's name) and cleared, and the
 * alert lifecycle.
 */
export function outboundSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const data: Record<string, JsonSchema> = {
    [publishedTypeOf(EventTypes.FlagRaised)]: FlagDataSchemas[EventTypes.FlagRaised],
    [EventTypes.FlagCleared]: FlagDataSchemas[EventTypes.FlagCleared],
    ...AlertLifecycleDataSchemas,
  };
  for (const [type, schema] of Object.entries(data)) {
    out[`${type}.data`] = schema;
    out[type] = outboundEventSchema(type, schema);
  }
  return out;
}

/** The text form accepted on `ais.positions.v1` besides CloudEvents: raw NMEA 0183 AIS sentences. */
const NMEA_TEXT_MESSAGE: JsonSchema = {
  name: 'AisNmeaText',
  title: 'AIS NMEA text',
  summary: 'Raw AIS sentences (NMEA 0183 !AIVDM / !AIVDO), as a receiver or an AIS feed hands them over.',
  description:
    'A message value that is not a CloudEvent but text: one sentence per line (`\n` or `\r\n`), each ' +
    '`!AIVDM`/`!AIVDO` with its checksum, optionally behind an IEC 61162-450 tag block carrying `s:` (the ' +
    'station) and `c:` (Unix seconds). Message types 1-3, 5 (also cut short), 18, 19, 24 and 27 are decoded; ' +
    'multipart messages may arrive in any order, across messages, within AIS_FRAGMENT_WINDOW_SEC per station; ' +
    'the same sentence from a second station within AIS_DUPLICATE_WINDOW_SEC is stored once. Other NMEA ' +
    '(`$GPRMC`, …) is skipped; a line that cannot be decoded is counted (`aidwatch_ais_lines_total`), and a ' +
    'message of which no line is usable goes to the dead-letter topic. Decoded sentences become ' +
    '`aidwatch.vessel.position.v1` / `aidwatch.vessel.static.v1` events with the source `nmea:<station>`.',
  contentType: 'text/plain',
  payload: {
    type: 'string',
    pattern: '[!$]',
    examples: ['\\s:yellow-sea-1,c:1767225600*7A\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24'],
  },
  bindings: {
    kafka: {
      key: { type: 'string', description: 'any (e.g. the station); not read' },
      bindingVersion: '0.5.0',
    },
  },
};

const channelId = (topic: string): string =>
  topic.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase());

const KEY_DESCRIPTIONS: Record<string, string> = {
  [Topics.reference]: 'exemption id, IMO (or MMSI, or name) of a designated vessel, or port UN/LOCODE',
  [Topics.consignments]: 'consignment id',
  [Topics.deliveries]: 'consignment id',
  [Topics.verifications]: 'consignment id',
  [Topics.positions]: 'MMSI (9 digits)',
};

const CLOUDEVENTS_DESCRIPTION =
  'A CloudEvents 1.0 event. Structured mode (shown): `content-type: application/cloudevents+json`, the whole ' +
  'event as the JSON value. Binary mode is accepted as well: the attributes as `ce_<name>` headers, ' +
  '`content-type` = datacontenttype, the `data` object as the JSON value.';

function inboundMessage(entry: CatalogueEntry): JsonSchema {
  // The document is the schemas' context: an $id would make AsyncAPI tools resolve them elsewhere.
  const { $id: _id, ...payload } = eventSchemaOf(entry.type);
  return {
    name: entry.name,
    title: entry.type,
    summary: entry.summary,
    description: CLOUDEVENTS_DESCRIPTION,
    contentType: 'application/cloudevents+json',
    payload,
    // Who may write it (the catalogue's `writers`; contract "Access", "Who writes what").
    'x-aidwatch-writers': [...entry.writers],
    bindings: {
      kafka: { key: { type: 'string', description: KEY_DESCRIPTIONS[entry.topic] }, bindingVersion: '0.5.0' },
    },
  };
}

function outboundMessage(
  type: string,
  name: string,
  summary: string,
  data: JsonSchema = FlagDataSchemas[type],
): JsonSchema {
  const { title: _title, ...payload } = outboundEventSchema(type, data);
  return {
    name,
    title: type,
    summary,
    contentType: 'application/cloudevents+json',
    payload,
    bindings: {
      kafka: {
        key: { type: 'string', description: 'the subject id: consignment id or MMSI' },
        bindingVersion: '0.5.0',
      },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of every Kafka topic of the contract, generated from the event catalogue:
 * AidWatch receives on the inbound topics and sends flags and dead letters. `brokers` fills `servers`.
 */
export function asyncApiDocument(options: { version: string; brokers?: readonly string[] }): JsonSchema {
  const messages: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const topics = new Map<string, CatalogueEntry[]>();
  for (const entry of CatalogueEntries) topics.set(entry.topic, [...(topics.get(entry.topic) ?? []), entry]);

  for (const [topic, entries] of topics) {
    const id = channelId(topic);
    for (const entry of entries) messages[entry.name] = inboundMessage(entry);
    const names = entries.map((e) => e.name);
    // Raw NMEA text is accepted on the positions topic beside the CloudEvents.
    if (topic === Topics.positions) {
      messages[NMEA_TEXT_MESSAGE.name as string] = NMEA_TEXT_MESSAGE;
      names.push(NMEA_TEXT_MESSAGE.name as string);
    }
    const refs = Object.fromEntries(names.map((name) => [name, { $ref: `#/components/messages/${name}` }]));
    const nmea = topic === Topics.positions ? ', or raw AIS NMEA text (AisNmeaText)' : '';
    channels[id] = {
      address: topic,
      title: topic,
      description: `Inbound: ${entries.map((e) => e.type).join(', ')}${nmea}. Record key: ${KEY_DESCRIPTIONS[topic]}.`,
      messages: refs,
    };
    operations[`receive${id[0].toUpperCase()}${id.slice(1)}`] = {
      action: 'receive',
      title: `AidWatch consumes ${topic}`,
      channel: { $ref: `#/channels/${id}` },
      messages: names.map((name) => ({ $ref: `#/channels/${id}/messages/${name}` })),
    };
  }

  // Published under the contract's name (publishedTypeOf), with the data of the current stored version.
  messages.FlagRaised = outboundMessage(
    publishedTypeOf(EventTypes.FlagRaised),
    'FlagRaised',
    'A risk flag was raised.',
    FlagDataSchemas[EventTypes.FlagRaised],
  );
  messages.FlagCleared = outboundMessage(EventTypes.FlagCleared, 'FlagCleared', 'A risk flag was cleared.');
  const lifecycle = (Object.keys(AlertLifecycleTypes) as Array<keyof typeof AlertLifecycleTypes>).map(
    (action) => {
      const name = `Alert${action[0].toUpperCase()}${action.slice(1)}`;
      messages[name] = outboundMessage(
        AlertLifecycleTypes[action],
        name,
        `An alert was ${action}: who, when, why, and the alert after it.`,
        AlertLifecycleDataSchemas[AlertLifecycleTypes[action]],
      );
      return name;
    },
  );
  const outbound = ['FlagRaised', 'FlagCleared', ...lifecycle];
  const alerts = channelId(Topics.alerts);
  channels[alerts] = {
    address: Topics.alerts,
    title: Topics.alerts,
    description:
      `Outbound flag and alert lifecycle events, keyed by subject. Flags go out as ${publishedTypeOf(EventTypes.FlagRaised)}, the ` +
      `contract's name; since contract 1.2 their data names no person (stored as ${EventTypes.FlagRaised}). ` +
      `Alert lifecycle: ${Object.values(AlertLifecycleTypes).join(', ')}.`,
    messages: Object.fromEntries(outbound.map((name) => [name, { $ref: `#/components/messages/${name}` }])),
  };
  operations.sendAlerts = {
    action: 'send',
    title: `AidWatch publishes ${Topics.alerts}`,
    channel: { $ref: `#/channels/${alerts}` },
    messages: outbound.map((name) => ({ $ref: `#/channels/${alerts}/messages/${name}` })),
  };

  messages.DeadLetter = {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'An inbound message that failed validation: the original bytes, with the reason in headers.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: ['x-dlq-reason', 'x-source-topic', 'x-source-partition', 'x-source-offset'],
      properties: {
        'x-dlq-reason': { type: 'string' },
        'x-dlq-errors': { type: 'string', description: 'JSON array of {field, message}' },
        'x-source-topic': { type: 'string' },
        'x-source-partition': { type: 'string' },
        'x-source-offset': { type: 'string' },
      },
    },
    payload: { description: 'the original message value, unchanged' },
  };
  const dlq = channelId(Topics.deadLetters);
  channels[dlq] = {
    address: Topics.deadLetters,
    title: Topics.deadLetters,
    description: 'Inbound messages that failed validation.',
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
  };
  operations.sendDeadLetters = {
    action: 'send',
    title: `AidWatch dead-letters to ${Topics.deadLetters}`,
    channel: { $ref: `#/channels/${dlq}` },
    messages: [{ $ref: `#/channels/${dlq}/messages/DeadLetter` }],
  };

  const brokers = options.brokers?.length ? options.brokers : ['localhost:9092'];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'AidWatch',
      version: options.version,
      description:
        'Kafka topics of the AidWatch external contract (docs/contract.md, served beside this document at ' +
        '/docs/asyncapi/contract.md). Every message is a CloudEvents 1.0 event; the JSON Schemas of each ' +
        "event's data are also served one by one at /docs/asyncapi/schemas/<type>.json.",
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/cloudevents+json',
    servers: Object.fromEntries(
      brokers.map((host, i) => [`broker${i + 1}`, { host, protocol: 'kafka', description: 'Kafka broker' }]),
    ),
    channels,
    operations,
    components: { messages },
  };
}
