import { DEFAULT_PORTS_SOURCE, SIMULATOR_SOURCE } from '@aidwatch/maritime';
import { demoGrants } from './demo-credentials';
import { demoScenario } from './demo-scenario';

describe('demo credentials', () => {
  const grants = demoGrants(demoScenario());

  it('the shared producer (tenant=*) may write what `npm run simulate -- --to http://…` sends', () => {
    const shared = grants.find((g) => g.role === 'producer' && g.tenantLabel === '*');
    expect(shared?.sources).toEqual(expect.arrayContaining([SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE]));
    expect(shared?.tenant).toBeUndefined();
  });

  it("no organisation's producer may write the simulator's feed", () => {
    for (const g of grants.filter((g) => g.role === 'producer' && g.tenantLabel !== '*'))
      expect(g.sources).not.toContain(SIMULATOR_SOURCE);
  });
});
