import { StoreTenantLookup } from '@aidwatch/access';
import {
  OWNERSHIP_SOURCE,
  OwnershipEventTypes,
  OwnershipStreams,
  type PrefixClaimed,
} from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { structuredMessage } from './testing';

describe('the intake judges ownership on Kafka as over HTTP', () => {
  const setUp = () => {
    const store = new InMemoryEventStore();
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }), {
      ownership: new StoreTenantLookup(store),
    });
    return { store, intake, owners: new StoreTenantLookup(store) };
  };

  it('dead-letters a takeover by grant or registration with its reason and stores the rest', async () => {
    const { intake, owners } = setUp();
    const first = [
      exemptionGranted({ id: 'g-b', data: { exemptionId: 'E-B', implementingOrg: 'Org B' } }),
      exemptionGranted({ id: 'g-a', data: { exemptionId: 'E-A', implementingOrg: 'Org A' } }),
      consignmentRegistered({ id: 'r-b', data: { consignmentId: 'C-B', exemptionId: 'E-B' } }),
    ];
    expect(await intake.ingestKafkaBatch(first.map((e, i) => structuredMessage(e, i)))).toEqual(
      first.map(() => ({ kind: 'ok' })),
    );
    const batch = [
      exemptionGranted({ id: 'takeover-1', data: { exemptionId: 'E-B', implementingOrg: 'Org A' } }),
      consignmentRegistered({ id: 'takeover-2', data: { consignmentId: 'C-B', exemptionId: 'E-A' } }),
      consignmentRegistered({ id: 'r-a', data: { consignmentId: 'C-A', exemptionId: 'E-A' } }),
      // Within one batch: the second first-registration of a new consignment is a takeover of the first.
      consignmentRegistered({ id: 'takeover-3', data: { consignmentId: 'C-A', exemptionId: 'E-B' } }),
    ];
    const outcomes = await intake.ingestKafkaBatch(batch.map((e, i) => structuredMessage(e, 10 + i)));
    expect(outcomes.map((o) => o.kind)).toEqual(['invalid', 'invalid', 'ok', 'invalid']);
    expect(outcomes[0]).toMatchObject({ reason: expect.stringMatching(/belongs to another organisation/) });
    expect(outcomes[1]).toMatchObject({ reason: expect.stringMatching(/another exemption/) });
    expect(await owners.organisationOfExemption('E-B')).toBe('Org B');
    expect(await owners.tenantOfConsignment('C-B')).toBe('Org B');
    expect(await owners.tenantOfConsignment('C-A')).toBe('Org A');
  });

  it('refuses the same takeover over HTTP as a whole request (forbidden), storing nothing', async () => {
    const { intake, store } = setUp();
    await intake.ingestHttp('application/cloudevents-batch+json', [
      exemptionGranted({ id: 'g-b', data: { exemptionId: 'E-B', implementingOrg: 'Org B' } }),
    ]);
    const before = (await store.readAll()).length;
    const result = await intake.ingestHttp('application/cloudevents-batch+json', [
      exemptionGranted({ id: 'g-new', data: { exemptionId: 'E-new', implementingOrg: 'Org A' } }),
      exemptionGranted({ id: 'takeover', data: { exemptionId: 'E-B', implementingOrg: 'Org A' } }),
    ]);
    expect(result).toMatchObject({ ok: false, kind: 'forbidden', errors: [{ index: 1 }] });
    expect((await store.readAll()).length).toBe(before);
  });

  it('lets only one of two concurrent first grants of an exemption to different organisations through', async () => {
    const { intake, owners } = setUp();
    const grantTo = (org: string) =>
      intake.ingestHttp('application/cloudevents-batch+json', [
        exemptionGranted({ id: `race-${org}`, data: { exemptionId: 'E-RACE', implementingOrg: org } }),
      ]);
    const results = await Promise.all(['Org A', 'Org B', 'Org C'].map(grantTo));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.kind === 'forbidden')).toHaveLength(2);
    const winner = ['Org A', 'Org B', 'Org C'][results.findIndex((r) => r.ok)];
    expect(await owners.organisationOfExemption('E-RACE')).toBe(winner);
  });

  it("dead-letters a registration under another organisation's claimed prefix, whether or not the id exists", async () => {
    const { intake, store, owners } = setUp();
    const facts = [
      exemptionGranted({ id: 'g-b', data: { exemptionId: 'E-B', implementingOrg: 'Org B' } }),
      exemptionGranted({ id: 'g-a', data: { exemptionId: 'E-A', implementingOrg: 'Org A' } }),
      consignmentRegistered({ id: 'r-b', data: { consignmentId: 'BX-1', exemptionId: 'E-B' } }),
    ];
    expect(await intake.ingestKafkaBatch(facts.map((e, i) => structuredMessage(e, i)))).toEqual(
      facts.map(() => ({ kind: 'ok' })),
    );
    const claim: PrefixClaimed = {
      specversion: '1.0',
      id: '0b6f2f5e-1c1d-4f37-9a51-3d6d1f6c0a11',
      source: OWNERSHIP_SOURCE,
      type: OwnershipEventTypes.PrefixClaimed,
      time: '2026-01-01T00:00:00Z',
      data: { org: 'Org B', prefix: 'BX-', by: 'key:op', at: '2026-01-01T00:00:00Z', reason: 'UCR prefix' },
    };
    await store.append(
      OwnershipStreams.prefixes,
      [{ id: claim.id, type: claim.type, data: claim }],
      'no_stream',
    );
    const batch = [
      consignmentRegistered({ id: 'squat-1', data: { consignmentId: 'BX-2', exemptionId: 'E-A' } }),
      consignmentRegistered({ id: 'r-b2', data: { consignmentId: 'BX-3', exemptionId: 'E-B' } }),
      consignmentRegistered({ id: 'r-a', data: { consignmentId: 'AX-1', exemptionId: 'E-A' } }),
    ];
    const outcomes = await intake.ingestKafkaBatch(batch.map((e, i) => structuredMessage(e, 10 + i)));
    expect(outcomes.map((o) => o.kind)).toEqual(['invalid', 'ok', 'ok']);
    expect(outcomes[0]).toMatchObject({
      reason: expect.stringMatching(/namespace claimed by another organisation/),
    });
    expect(await owners.tenantOfConsignment('BX-2')).toBeUndefined();
    expect(await owners.tenantOfConsignment('BX-3')).toBe('Org B');
  });

  it('dead-letters an event whose subject names another consignment than its data', async () => {
    const { intake } = setUp();
    const event = consignmentRegistered({ id: 'r-subj', subject: 'C-OTHER', data: { consignmentId: 'C-1' } });
    const [outcome] = await intake.ingestKafkaBatch([structuredMessage(event, 1)]);
    expect(outcome).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'subject' })],
    });
  });
});
