import * as fs from 'node:fs';
import * as path from 'node:path';
import { CatalogueEntries, EventTypes, type AidEvent } from '@aidwatch/domain';
import type { Principal } from './principal';
import { seesFlag, tenantScopeOf } from './tenancy';
import * as fc from 'fast-check';
import {
  batchWriteAuthorizer,
  hasDotSegment,
  MonitorEventTypes,
  sourceAllowed,
  writeRefusal,
} from './write-policy';

const verification = (consignmentId: string, monitorId: string, source = '/wfp/field') =>
  ({
    specversion: '1.0',
    id: 'v-1',
    source,
    type: EventTypes.VerificationReported,
    time: '2026-05-01T00:00:00Z',
    data: { consignmentId, monitorId },
  }) as unknown as AidEvent;

const tenants: Record<string, string> = { 'CSG-W': 'WFP', 'CSG-U': 'UNICEF' };
const exemptionTenants: Record<string, string> = { 'EX-W': 'WFP', 'EX-U': 'UNICEF' };
const tenantOf = {
  tenantOfConsignment: async (id: string) => tenants[id],
  tenantOfExemption: async (id: string) => exemptionTenants[id],
};
const event = (type: string, data: Record<string, unknown>, source = '/wfp/logistics') =>
  ({
    specversion: '1.0',
    id: 'e-1',
    source,
    type,
    time: '2026-05-01T00:00:00Z',
    data,
  }) as unknown as AidEvent;

describe('write policy', () => {
  it('binds a producer to its sources: exact values and prefixes ending in *', () => {
    expect(sourceAllowed(['/wfp/logistics'], '/wfp/logistics')).toBe(true);
    expect(sourceAllowed(['/wfp/logistics'], '/wfp/logistics/x')).toBe(false);
    expect(sourceAllowed(['/wfp/*'], '/wfp/logistics/x')).toBe(true);
    expect(sourceAllowed(['/wfp/*'], '/unicef/x')).toBe(false);
    expect(sourceAllowed(undefined, '/wfp')).toBe(false);
  });

  it('lets a monitor report only for its organisation, as itself', async () => {
    const monitor: Principal = {
      subject: 'key:m',
      role: 'monitor',
      tenant: 'WFP',
      monitorId: 'MON-1',
      sources: ['/wfp/*'],
    };
    await expect(writeRefusal(monitor, verification('CSG-W', 'MON-1'), tenantOf)).resolves.toBeUndefined();
    await expect(writeRefusal(monitor, verification('CSG-U', 'MON-1'), tenantOf)).resolves.toBe(
      'consignment "CSG-U" is not one this credential may write about',
    );
    await expect(writeRefusal(monitor, verification('CSG-W', 'MON-2'), tenantOf)).resolves.toMatch(
      /not this credential's monitor/,
    );
    // Unknown and another organisation's: the same words (no existence oracle).
    await expect(writeRefusal(monitor, verification('CSG-NEW', 'MON-1'), tenantOf)).resolves.toBe(
      'consignment "CSG-NEW" is not one this credential may write about',
    );
  });

  it("keeps a monitor without sources to its organisation's source namespace", async () => {
    const monitor: Principal = { subject: 'key:m', role: 'monitor', tenant: 'WFP', monitorId: 'MON-1' };
    const under = (source: string) => ({ ...verification('CSG-W', 'MON-1'), source });
    await expect(
      writeRefusal(monitor, under('/aidwatch/monitors/WFP/field'), tenantOf),
    ).resolves.toBeUndefined();
    // Another organisation's source (squatting its ids) is refused, whatever the id.
    await expect(writeRefusal(monitor, under('/aidwatch/monitors/UNICEF'), tenantOf)).resolves.toMatch(
      /not one this credential may write under/,
    );
    await expect(writeRefusal(monitor, under('/org/unicef/monitoring'), tenantOf)).resolves.toMatch(
      /not one this credential may write under/,
    );
    // A field-tool submission: its source is AidWatch's mapping, not the caller's choice.
    await expect(
      writeRefusal(monitor, under('kobotoolbox:form-1'), tenantOf, { sourceChosenByAidwatch: true }),
    ).resolves.toBeUndefined();
  });

  it("keeps a producer of one organisation to that organisation's consignments", async () => {
    const producer: Principal = { subject: 'key:p', role: 'producer', tenant: 'WFP', sources: ['/wfp/*'] };
    const allowed = [
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-NEW', exemptionId: 'EX-W' }),
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-W', exemptionId: 'EX-W' }),
      event(EventTypes.ConsignmentDeparted, { consignmentId: 'CSG-W' }),
      event(EventTypes.DeliveryRecorded, { consignmentId: 'CSG-W', deliveryId: 'D-1' }),
    ];
    for (const e of allowed) await expect(writeRefusal(producer, e, tenantOf)).resolves.toBeUndefined();
    const notYours: Array<[AidEvent, string]> = [
      [
        event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-NEW', exemptionId: 'EX-U' }),
        'exemption "EX-U"',
      ],
      [
        event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-NEW', exemptionId: 'EX-UNKNOWN' }),
        'exemption "EX-UNKNOWN"',
      ],
      [
        event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-U', exemptionId: 'EX-W' }),
        'consignment "CSG-U"',
      ],
      [event(EventTypes.ConsignmentDeparted, { consignmentId: 'CSG-U' }), 'consignment "CSG-U"'],
      [
        event(EventTypes.DeliveryRecorded, { consignmentId: 'CSG-UNKNOWN', deliveryId: 'D-2' }),
        'consignment "CSG-UNKNOWN"',
      ],
    ];
    for (const [e, what] of notYours)
      await expect(writeRefusal(producer, e, tenantOf)).resolves.toBe(
        `${what} is not one this credential may write about`,
      );
    // Feed and committee data are never an organisation's, whoever it names.
    const notItsKind = [
      event(EventTypes.ExemptionGranted, { exemptionId: 'EX-NEW', implementingOrg: 'WFP' }),
      event(EventTypes.ExemptionGranted, { exemptionId: 'EX-W', implementingOrg: 'WFP' }),
      event(EventTypes.ExemptionRevoked, { exemptionId: 'EX-W' }),
      event(EventTypes.VesselDesignated, { imo: '9000001', name: 'X', listRef: 'UN' }),
      event(EventTypes.VesselDesignationRevoked, { imo: '9000001', name: 'X', listRef: 'UN' }),
      event(EventTypes.PortDeclared, { locode: 'KPNAM' }),
      event(EventTypes.VesselPositionReported, { mmsi: '412000001' }),
      event(EventTypes.VesselStaticReported, { mmsi: '412000001' }),
      event(EventTypes.VerificationReported, { consignmentId: 'CSG-W', monitorId: 'MON-1' }),
    ];
    for (const e of notItsKind)
      await expect(writeRefusal(producer, e, tenantOf)).resolves.toMatch(
        /^an organisation's producer does not write .* events \(written by: (feed|committee|monitor)\)$/,
      );
    // A producer of no organisation (the deployment's relay) is bound by its sources only.
    const relay: Principal = { subject: 'key:r', role: 'producer', sources: ['/wfp/*'] };
    for (const e of [...notYours.map(([e]) => e), ...notItsKind])
      await expect(writeRefusal(relay, e, tenantOf)).resolves.toBeUndefined();
    await expect(
      writeRefusal(relay, event(EventTypes.PortDeclared, { locode: 'KPNAM' }, '/elsewhere'), tenantOf),
    ).resolves.toMatch(/not one this credential may write under/);
  });

  it('derives every judgement from the catalogue: each type, each credential', async () => {
    const credentials: Record<string, Principal> = {
      relay: { subject: 'key:r', role: 'producer', sources: ['*'] },
      producer: { subject: 'key:p', role: 'producer', tenant: 'WFP', sources: ['*'] },
      monitor: { subject: 'key:m', role: 'monitor', tenant: 'WFP', monitorId: 'MON-1', sources: ['*'] },
      dashboard: { subject: 'key:d', role: 'dashboard', tenant: 'WFP' },
    };
    const data = {
      consignmentId: 'CSG-W',
      exemptionId: 'EX-W',
      implementingOrg: 'WFP',
      monitorId: 'MON-1',
      mmsi: '412000001',
      locode: 'KPNAM',
      name: 'X',
    };
    for (const entry of CatalogueEntries)
      for (const [name, principal] of Object.entries(credentials)) {
        const expected =
          name === 'relay' ||
          // An organisation's producer closes only sources its credential names: '*' names none.
          (name === 'producer' &&
            entry.writers.includes('organisation') &&
            entry.type !== EventTypes.InputClosed &&
            entry.type !== EventTypes.InputBounded) ||
          (name === 'monitor' && entry.writers.includes('monitor'));
        const answer = await writeRefusal(principal, event(entry.type, data), tenantOf);
        expect([entry.type, name, answer === undefined]).toEqual([entry.type, name, expected]);
      }
    expect(MonitorEventTypes).toEqual([EventTypes.VerificationReported, EventTypes.AccessDenied]);
  });

  it("lets an organisation's producer close only the sources its credential names", async () => {
    const producer = (sources: string[]): Principal => ({
      subject: 'key:p',
      role: 'producer',
      tenant: 'WFP',
      sources,
    });
    const close = (source: string) =>
      event(EventTypes.InputClosed, { source, at: '2026-06-01T00:00:00Z' }, source);
    const named = producer(['/wfp/imports/*', '/wfp/logistics']);
    await expect(writeRefusal(named, close('/wfp/imports/2026-05'), tenantOf)).resolves.toBeUndefined();
    await expect(writeRefusal(named, close('/wfp/logistics'), tenantOf)).resolves.toBeUndefined();
    // Another organisation's source: refused in step 1, whatever was written under it.
    await expect(writeRefusal(named, close('/unicef/logistics'), tenantOf)).resolves.toMatch(
      /not one this credential may write under/,
    );
    // A credential that may write anywhere closes nothing.
    await expect(writeRefusal(producer(['*']), close('/unicef/logistics'), tenantOf)).resolves.toMatch(
      /may close: an organisation's producer closes only sources its credential names/,
    );
    // Announcing a bound is judged as a close.
    const bound = (source: string) =>
      event(EventTypes.InputBounded, { source, until: '2026-06-01T00:00:00Z' }, source);
    await expect(writeRefusal(named, bound('/wfp/imports/2026-05'), tenantOf)).resolves.toBeUndefined();
    await expect(writeRefusal(producer(['*']), bound('/unicef/logistics'), tenantOf)).resolves.toMatch(
      /may close: an organisation's producer closes only sources its credential names/,
    );
    await expect(
      writeRefusal(producer(['*', '/wfp/logistics']), close('/wfp/logistics'), tenantOf),
    ).resolves.toBeUndefined();
    // A monitor closes nothing; a producer of no organisation closes any source it writes under.
    const monitor: Principal = {
      subject: 'key:m',
      role: 'monitor',
      tenant: 'WFP',
      monitorId: 'MON-1',
      sources: ['/wfp/logistics'],
    };
    await expect(writeRefusal(monitor, close('/wfp/logistics'), tenantOf)).resolves.toMatch(/does not write/);
    const relay: Principal = { subject: 'key:r', role: 'producer', sources: ['*'] };
    await expect(writeRefusal(relay, close('/unicef/logistics'), tenantOf)).resolves.toBeUndefined();
  });

  it('is documented: the contract\'s "Who writes what" table names each type with its catalogue writers', () => {
    const contract = fs.readFileSync(path.join(__dirname, '../../../docs/contract.md'), 'utf8');
    const table = contract.slice(contract.indexOf('Who writes what'), contract.indexOf('Redaction (added'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    for (const entry of CatalogueEntries) {
      const row = rows.filter((r) => r.split('|')[1].includes(`\`${entry.type}\``));
      expect([entry.type, row.length]).toEqual([entry.type, 1]);
      expect([entry.type, row[0].split('|')[2].trim()]).toEqual([entry.type, entry.writers.join(', ')]);
    }
  });

  it('lets only the committee’s sources (when configured) grant or revoke an exemption', async () => {
    const relay: Principal = { subject: 'key:r', role: 'producer', sources: ['*'] };
    const committeeSources = ['/un/sc/1718-committee'];
    const grant = (exemptionId: string, source: string) =>
      event(EventTypes.ExemptionGranted, { exemptionId, implementingOrg: 'WFP' }, source);
    const revoke = (source: string) => event(EventTypes.ExemptionRevoked, { exemptionId: 'EX-W' }, source);
    const judge = (e: AidEvent) => writeRefusal(relay, e, tenantOf, { committeeSources });
    await expect(judge(grant('EX-W', '/un/sc/1718-committee'))).resolves.toBeUndefined();
    await expect(judge(grant('EX-NEW', '/un/sc/1718-committee'))).resolves.toBeUndefined();
    const refusal = `${EventTypes.ExemptionGranted} events are written only under the committee's sources`;
    await expect(judge(grant('EX-W', '/relay/elsewhere'))).resolves.toBe(refusal);
    // A first grant too: nobody squats a future exemption id, and known and unknown ids read alike.
    await expect(judge(grant('EX-NEW', '/relay/elsewhere'))).resolves.toBe(refusal);
    await expect(judge(revoke('/relay/elsewhere'))).resolves.toMatch(/only under the committee's sources/);
    // Feed and consignment events of the relay are not the committee's business.
    await expect(
      judge(event(EventTypes.PortDeclared, { locode: 'KPNAM' }, '/relay/elsewhere')),
    ).resolves.toBeUndefined();
    // Not configured: every relay speaks for the committee.
    await expect(writeRefusal(relay, revoke('/relay/elsewhere'), tenantOf)).resolves.toBeUndefined();
    // An organisation's producer never does, even under the committee's sources.
    const producer: Principal = { subject: 'key:p', role: 'producer', tenant: 'WFP', sources: ['*'] };
    await expect(
      writeRefusal(producer, grant('EX-W', '/un/sc/1718-committee'), tenantOf, { committeeSources }),
    ).resolves.toMatch(/does not write/);
  });

  it('refuses events from roles that do not write', async () => {
    for (const role of ['dashboard', 'operator', 'admin'] as const) {
      await expect(
        writeRefusal({ subject: 's', role }, verification('CSG-W', 'MON-1'), tenantOf),
      ).resolves.toMatch(/does not submit events/);
    }
  });
});

describe('tenancy', () => {
  const tenantOfSync = (id: string) => tenants[id];
  it('shows a flag to the tenants of its consignments, every flag to operators, none to producers', () => {
    const vesselFlag = { consignmentIds: ['CSG-W', 'CSG-U'] };
    const wfpFlag = { consignmentIds: ['CSG-W'] };
    const dashboard = (tenant: string) => tenantScopeOf({ subject: 's', role: 'dashboard', tenant });
    expect(seesFlag(dashboard('UNICEF'), vesselFlag, tenantOfSync)).toBe(true);
    expect(seesFlag(dashboard('UNICEF'), wfpFlag, tenantOfSync)).toBe(false);
    expect(seesFlag(dashboard('WFP'), { consignmentIds: [] }, tenantOfSync)).toBe(false);
    expect(seesFlag(tenantScopeOf({ subject: 's', role: 'operator' }), wfpFlag, tenantOfSync)).toBe(true);
    expect(
      seesFlag(tenantScopeOf({ subject: 's', role: 'producer', tenant: 'WFP' }), wfpFlag, tenantOfSync),
    ).toBe(false);
  });
});

describe('batch write authorizer', () => {
  const producer: Principal = { subject: 'key:p', role: 'producer', tenant: 'WFP', sources: ['/wfp/*'] };
  const judge = async (principal: Principal, events: AidEvent[]) => {
    const authorize = batchWriteAuthorizer(principal, tenantOf);
    const answers: Array<string | undefined> = [];
    for (const e of events) answers.push(await authorize(e));
    return answers;
  };

  it("lets a batch carry a registration and its follow-ups of the producer's organisation", async () => {
    const batch = [
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-NEW', exemptionId: 'EX-W' }),
      event(EventTypes.ConsignmentLoaded, { consignmentId: 'CSG-NEW' }),
      event(EventTypes.DeliveryRecorded, { consignmentId: 'CSG-NEW', deliveryId: 'D-9' }),
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-NEW-2', exemptionId: 'EX-W' }),
      event(EventTypes.ConsignmentDeparted, { consignmentId: 'CSG-NEW-2' }),
    ];
    expect(await judge(producer, batch)).toEqual(batch.map(() => undefined));
    // Each follow-up alone, without the registration before it, is refused as before.
    await expect(writeRefusal(producer, batch[1], tenantOf)).resolves.toMatch(/CSG-NEW/);
    // A grant in the batch is refused (the committee's), and so is what hangs on it.
    const [grant, registration] = await judge(producer, [
      event(EventTypes.ExemptionGranted, { exemptionId: 'EX-NEW', implementingOrg: 'WFP' }),
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-N', exemptionId: 'EX-NEW' }),
    ]);
    expect(grant).toMatch(/does not write/);
    expect(registration).toBe('exemption "EX-NEW" is not one this credential may write about');
  });

  it('a follow-up before its registration, or of a registration refused, is still refused', async () => {
    const loaded = event(EventTypes.ConsignmentLoaded, { consignmentId: 'CSG-NEW' });
    const registered = event(EventTypes.ConsignmentRegistered, {
      consignmentId: 'CSG-NEW',
      exemptionId: 'EX-W',
    });
    const [first, second] = await judge(producer, [loaded, registered]);
    expect(first).toBe('consignment "CSG-NEW" is not one this credential may write about');
    expect(second).toBeUndefined();
    const foreign = event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-X', exemptionId: 'EX-U' });
    const after = event(EventTypes.ConsignmentLoaded, { consignmentId: 'CSG-X' });
    const answers = await judge(producer, [foreign, after]);
    expect(answers[0]).toMatch(/exemption "EX-U"/);
    expect(answers[1]).toMatch(/consignment "CSG-X"/);
  });

  it('a batch cannot move a consignment or exemption the store knows to another organisation', async () => {
    const unicef: Principal = { subject: 'key:u', role: 'producer', tenant: 'UNICEF', sources: ['/wfp/*'] };
    const answers = await judge(unicef, [
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-W', exemptionId: 'EX-U' }),
      event(EventTypes.ConsignmentLoaded, { consignmentId: 'CSG-W' }),
      event(EventTypes.ConsignmentRegistered, { consignmentId: 'CSG-Z', exemptionId: 'EX-W' }),
    ]);
    expect(answers).toEqual([
      'consignment "CSG-W" is not one this credential may write about',
      'consignment "CSG-W" is not one this credential may write about',
      'exemption "EX-W" is not one this credential may write about',
    ]);
  });

  it('never allows what writeRefusal refuses for a store that already holds the batch (property)', async () => {
    const orgs = ['WFP', 'UNICEF'];
    const ids = ['EX-A', 'EX-B', 'EX-W', 'EX-U'];
    const csgs = ['CSG-A', 'CSG-B', 'CSG-W', 'CSG-U'];
    const anEvent = fc.oneof(
      fc
        .record({ exemptionId: fc.constantFrom(...ids), implementingOrg: fc.constantFrom(...orgs) })
        .map((d) => event(EventTypes.ExemptionGranted, d)),
      fc
        .record({ consignmentId: fc.constantFrom(...csgs), exemptionId: fc.constantFrom(...ids) })
        .map((d) => event(EventTypes.ConsignmentRegistered, d)),
      fc
        .record({ consignmentId: fc.constantFrom(...csgs) })
        .map((d) => event(EventTypes.ConsignmentLoaded, d)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(anEvent, { maxLength: 8 }), fc.constantFrom(...orgs), async (batch, org) => {
        const principal: Principal = { subject: 'key:p', role: 'producer', tenant: org, sources: ['/wfp/*'] };
        const answers = await judge(principal, batch);
        // Whatever the batch allows is what a store holding the allowed events before it would allow.
        const exemptions = { ...exemptionTenants };
        const consignments: Record<string, string> = { ...tenants };
        for (const [i, e] of batch.entries()) {
          const lookup = {
            tenantOfConsignment: async (id: string) => consignments[id],
            tenantOfExemption: async (id: string) => exemptions[id],
          };
          expect(answers[i] === undefined).toBe((await writeRefusal(principal, e, lookup)) === undefined);
          if (answers[i] !== undefined) continue;
          const d = e.data as { exemptionId: string; consignmentId?: string; implementingOrg?: string };
          if (e.type === EventTypes.ExemptionGranted) exemptions[d.exemptionId] ??= d.implementingOrg!;
          if (e.type === EventTypes.ConsignmentRegistered && exemptions[d.exemptionId] !== undefined)
            consignments[d.consignmentId!] ??= exemptions[d.exemptionId];
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('sources with dot segments', () => {
  it.each([
    '/aidwatch/monitors/WFP/../UNICEF/x',
    '/aidwatch/monitors/WFP/./x',
    '/aidwatch/monitors/WFP/%2e%2e/UNICEF/x',
    '/aidwatch/monitors/WFP/%2E%2e/UNICEF',
    '/aidwatch/monitors/WFP%2f..%2fUNICEF',
    '/aidwatch/monitors/WFP/%252e%252e/UNICEF',
    '/aidwatch/monitors/WFP\\..\\UNICEF',
  ])('refuses %s before matching a prefix', async (source) => {
    expect(sourceAllowed(['/aidwatch/monitors/WFP/*'], source)).toBe(false);
    expect(hasDotSegment(source)).toBe(true);
    const monitor: Principal = { subject: 'key:m', role: 'monitor', tenant: 'WFP', monitorId: 'MON-1' };
    await expect(writeRefusal(monitor, verification('CSG-W', 'MON-1', source), tenantOf)).resolves.toMatch(
      /path segment/,
    );
  });

  it('keeps sources whose segments merely contain dots', () => {
    for (const source of ['/wfp/v1.2/feed', 'https://wfp.example/ais', '/wfp/...', '/wfp/.hidden'])
      expect(hasDotSegment(source)).toBe(false);
    expect(sourceAllowed(['/wfp/*'], '/wfp/v1.2/feed')).toBe(true);
  });
});

describe('claimed consignment id namespaces', () => {
  const claims: Record<string, string> = { 'WFP-': 'WFP' };
  const withClaims = {
    ...tenantOf,
    claimantOfConsignmentId: async (id: string) =>
      Object.entries(claims).find(([prefix]) => id.startsWith(prefix))?.[1],
  };
  const unicefProducer: Principal = { subject: 'key:u', role: 'producer', tenant: 'UNICEF', sources: ['*'] };
  const wfpProducer: Principal = { subject: 'key:w', role: 'producer', tenant: 'WFP', sources: ['*'] };
  const registration = (consignmentId: string, exemptionId: string) =>
    event(EventTypes.ConsignmentRegistered, { consignmentId, exemptionId });

  it("refuses another organisation's registration under a claimed prefix in the words of any refusal, whether or not the id exists", async () => {
    const known = {
      ...withClaims,
      tenantOfConsignment: async (id: string) => (id === 'WFP-9' ? 'WFP' : undefined),
    };
    const fresh = await writeRefusal(unicefProducer, registration('WFP-1', 'EX-U'), known);
    const existing = await writeRefusal(unicefProducer, registration('WFP-9', 'EX-U'), known);
    expect(fresh).toBe('consignment "WFP-1" is not one this credential may write about');
    expect(existing).toBe('consignment "WFP-9" is not one this credential may write about');
    // Even under an exemption the producer does not hold: the id's shape decides first.
    expect(await writeRefusal(unicefProducer, registration('WFP-1', 'EX-W'), known)).toBe(fresh);
  });

  it('lets the claimant register under its prefix, and anyone register outside claimed prefixes', async () => {
    await expect(
      writeRefusal(wfpProducer, registration('WFP-1', 'EX-W'), withClaims),
    ).resolves.toBeUndefined();
    await expect(
      writeRefusal(unicefProducer, registration('UNI-1', 'EX-U'), withClaims),
    ).resolves.toBeUndefined();
  });

  it('judges a batch with the same claims', async () => {
    const authorize = batchWriteAuthorizer(unicefProducer, withClaims);
    await expect(authorize(registration('WFP-2', 'EX-U'))).resolves.toMatch(/not one this credential/);
  });
});
