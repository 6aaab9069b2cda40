import { EventTypes, type AidEvent } from '@aidwatch/domain';
import type { Principal } from './principal';
import { seesFlag, tenantScopeOf } from './tenancy';
import { sourceAllowed, writeRefusal } from './write-policy';

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
const tenantOf = async (id: string) => tenants[id];

describe('write policy', () => {
  it('binds a producer to its sources: exact values and prefixes ending in *', () => {
    expect(sourceAllowed(['/wfp/logistics'], '/wfp/logistics')).toBe(true);
    expect(sourceAllowed(['/wfp/logistics'], '/wfp/logistics/x')).toBe(false);
    expect(sourceAllowed(['/wfp/*'], '/wfp/logistics/x')).toBe(true);
    expect(sourceAllowed(['/wfp/*'], '/unicef/x')).toBe(false);
    expect(sourceAllowed(undefined, '/wfp')).toBe(false);
  });

  it('lets a monitor report only for its organisation, as itself', async () => {
    const monitor: Principal = { subject: 'key:m', role: 'monitor', tenant: 'WFP', monitorId: 'MON-1' };
    await expect(writeRefusal(monitor, verification('CSG-W', 'MON-1'), tenantOf)).resolves.toBeUndefined();
    await expect(writeRefusal(monitor, verification('CSG-U', 'MON-1'), tenantOf)).resolves.toMatch(
      /not one of this credential's organisation/,
    );
    await expect(writeRefusal(monitor, verification('CSG-W', 'MON-2'), tenantOf)).resolves.toMatch(
      /not this credential's monitor/,
    );
    await expect(writeRefusal(monitor, verification('CSG-NEW', 'MON-1'), tenantOf)).resolves.toBeDefined();
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
