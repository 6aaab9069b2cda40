import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { AlertLifecycleTypes, asyncApiDocument, outboundSchemas } from './asyncapi-document';
import { CatalogueEntries } from './event-catalogue';
import { EventTypes, SupersededEventTypes, Topics } from './event-types';

const errorsOf = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);

describe('the AsyncAPI document', () => {
  jest.setTimeout(60_000);
  const document = asyncApiDocument({ version: '1.1.0', brokers: ['kafka-1:9092', 'kafka-2:9092'] });
  let parsed: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    ({ document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document)));
  });

  it('is a valid AsyncAPI 3 document for @asyncapi/parser, without a single diagnostic error', () => {
    expect(errorsOf(diagnostics)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(
      parsed
        ?.servers()
        .all()
        .map((s) => s.host()),
    ).toEqual(['kafka-1:9092', 'kafka-2:9092']);
  });

  it('would be caught by the parser if broken (the check above can fail)', async () => {
    const broken = structuredClone(document) as { operations: Record<string, { channel: unknown }> };
    Object.values(broken.operations)[0].channel = { $ref: '#/channels/nowhere' };
    const result = await new Parser().parse(JSON.stringify(broken));
    expect(errorsOf(result.diagnostics)).not.toEqual([]);
  });

  it('has a channel for every topic of the contract, with the message of every catalogued type', () => {
    const channels = parsed!.channels().all();
    expect(channels.map((c) => c.address()).sort()).toEqual(Object.values(Topics).sort());
    for (const entry of CatalogueEntries) {
      const channel = channels.find((c) => c.address() === entry.topic)!;
      expect(
        channel
          .messages()
          .all()
          .map((m) => m.title()),
      ).toContain(entry.type);
    }
  });

  it("names each inbound message's writers, as the catalogue does", () => {
    const messages = parsed!.allMessages().all();
    for (const entry of CatalogueEntries) {
      const message = messages.find((m) => m.title() === entry.type)!;
      expect([entry.type, message.extensions().get('x-aidwatch-writers')?.value()]).toEqual([
        entry.type,
        entry.writers,
      ]);
    }
  });

  it('says AidWatch receives the inbound topics and sends alerts and dead letters', () => {
    const actions = Object.fromEntries(
      parsed!
        .operations()
        .all()
        .map((o) => [o.channels().all()[0].address(), o.action()]),
    );
    expect(actions).toMatchObject({
      [Topics.reference]: 'receive',
      [Topics.consignments]: 'receive',
      [Topics.deliveries]: 'receive',
      [Topics.verifications]: 'receive',
      [Topics.positions]: 'receive',
      [Topics.alerts]: 'send',
      [Topics.deadLetters]: 'send',
    });
  });

  it("sends flags under the contract's name, aidwatch.flag.raised.v1, with the data of the current version, and the alert lifecycle", () => {
    const alerts = parsed!
      .channels()
      .all()
      .find((c) => c.address() === Topics.alerts)!;
    const titles = (list: { title(): string | undefined }[]) => list.map((m) => m.title());
    const sent = [
      SupersededEventTypes.FlagRaisedV1,
      EventTypes.FlagCleared,
      ...Object.values(AlertLifecycleTypes),
    ];
    expect(titles(alerts.messages().all()).sort()).toEqual(sent.sort());
    const send = parsed!
      .operations()
      .all()
      .find((o) => o.action() === 'send' && o.channels().all()[0].address() === Topics.alerts)!;
    expect(titles(send.messages().all()).sort()).toEqual([
      'aidwatch.alert.acknowledged.v1',
      'aidwatch.alert.assigned.v1',
      'aidwatch.alert.commented.v1',
      'aidwatch.alert.resolved.v1',
      'aidwatch.flag.cleared.v1',
      'aidwatch.flag.raised.v1',
    ]);
    const observed = (document as any).components.messages.FlagRaised.payload.properties.data.properties
      .observed;
    expect(observed.description).toMatch(/names no person/);
  });

  it('describes raw NMEA text on ais.positions.v1 beside the CloudEvents', () => {
    const positions = parsed!
      .channels()
      .all()
      .find((c) => c.address() === Topics.positions)!;
    const nmea = positions
      .messages()
      .all()
      .find((m) => m.contentType() === 'text/plain');
    expect(nmea?.title()).toBe('AIS NMEA text');
    expect(nmea?.description()).toMatch(/!AIVDM/);
  });

  it('has a schema, whole event and data, for every type it sends', () => {
    const schemas = outboundSchemas();
    for (const type of [
      SupersededEventTypes.FlagRaisedV1,
      EventTypes.FlagCleared,
      ...Object.values(AlertLifecycleTypes),
    ])
      expect([type, `${type}.data`].every((name) => name in schemas)).toBe(true);
    expect(schemas[SupersededEventTypes.FlagRaisedV1]).toMatchObject({
      properties: { type: { const: SupersededEventTypes.FlagRaisedV1 } },
    });
  });
});
