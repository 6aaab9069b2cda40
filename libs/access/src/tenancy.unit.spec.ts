import { seesFlag, type TenantScope } from './tenancy';

const owners: Record<string, string> = { 'CSG-A': 'A', 'CSG-B': 'B', 'CSG-B2': 'B' };
const order: Record<string, number> = { 'CSG-B': 0, 'CSG-A': 1, 'CSG-B2': 2 };
const tenantOf = (id: string) => owners[id];
const orderOf = (id: string) => order[id];
const as = (tenant: string): TenantScope => ({ kind: 'tenant', tenant });

describe('who sees a flag', () => {
  it('a flag of a shared vessel: every organisation whose consignment it names', () => {
    const flag = { rule: 'ais-gap', consignmentIds: ['CSG-A', 'CSG-B'] };
    expect(seesFlag(as('A'), flag, tenantOf, orderOf)).toBe(true);
    expect(seesFlag(as('B'), flag, tenantOf, orderOf)).toBe(true);
    expect(seesFlag(as('C'), flag, tenantOf, orderOf)).toBe(false);
  });

  it("a document cited by several organisations' consignments: only the first citer (by registration order) and operators", () => {
    const flag = { rule: 'duplicate-document', consignmentIds: ['CSG-A', 'CSG-B'] };
    expect(seesFlag(as('B'), flag, tenantOf, orderOf)).toBe(true);
    expect(seesFlag(as('A'), flag, tenantOf, orderOf)).toBe(false);
    expect(seesFlag({ kind: 'all' }, flag, tenantOf, orderOf)).toBe(true);
    // Without the order nobody but operators is shown it.
    expect(seesFlag(as('B'), flag, tenantOf)).toBe(false);
  });

  it("given the flag's subject, the first citer sees only the flag about its own consignment", () => {
    // CSG-B was registered first: B's own flag is B's; A's flag about CSG-A (naming CSG-B) is for operators.
    const base = { rule: 'duplicate-document', consignmentIds: ['CSG-A', 'CSG-B'] };
    const aboutB = { ...base, subject: { kind: 'consignment', id: 'CSG-B' } };
    const aboutA = { ...base, subject: { kind: 'consignment', id: 'CSG-A' } };
    expect(seesFlag(as('B'), aboutB, tenantOf, orderOf)).toBe(true);
    expect(seesFlag(as('A'), aboutB, tenantOf, orderOf)).toBe(false);
    expect(seesFlag(as('B'), aboutA, tenantOf, orderOf)).toBe(false);
    expect(seesFlag(as('A'), aboutA, tenantOf, orderOf)).toBe(false);
    expect(seesFlag({ kind: 'all' }, aboutA, tenantOf, orderOf)).toBe(true);
  });

  it('a document reused within one organisation is that organisation’s as always', () => {
    const flag = { rule: 'duplicate-document', consignmentIds: ['CSG-B', 'CSG-B2'] };
    expect(seesFlag(as('B'), flag, tenantOf)).toBe(true);
  });
});
