import { DiversionRuleIds, type RuleId } from '@aidwatch/domain';
import { DemoCast } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

interface FlagItem {
  flagId: string;
  rule: string;
  severity: string;
  status: 'open' | 'cleared';
  subject: { kind: string; id: string };
  consignmentIds: string[];
  evidence: string[];
  explanation: string;
}

interface ConsignmentBody {
  consignmentId: string;
  status: string;
  risk: string;
  flags: FlagItem[];
}

const diversionRules: readonly RuleId[] = DiversionRuleIds;
const maritimeRules = [
  'ais-gap',
  'encounter',
  'loitering',
  'draught-change',
  'designated-vessel',
  'identity-change',
  'route-deviation',
];

let system: TestSystem;

const getJson = async <T>(url: string): Promise<T> => {
  const res = await system.fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

describe('npm start with the demo: the whole system over HTTP', () => {
  jest.setTimeout(90_000);
  let flags: FlagItem[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ DEMO: 'true' });
    flags = await eventually(
      async () => {
        const page = await getJson<{ items: FlagItem[] }>(`${system.url}/flags?status=open&limit=10000`);
        const rules = new Set(page.items.map((f) => f.rule));
        return [...diversionRules, ...maritimeRules].every((r) => rules.has(r)) && page.items.length >= 30
          ? page.items
          : undefined;
      },
      60_000,
      'the demo flags',
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('lists every diversion rule, each flag with evidence and an explanation', async () => {
    expect(new Set(flags.map((f) => f.rule))).toEqual(new Set([...diversionRules, ...maritimeRules]));
    expect(flags).toHaveLength(30);
    for (const f of flags) {
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.explanation.trim().length).toBeGreaterThan(30);
    }
  });

  it('shows the carried consignment at critical risk with its gap and encounter', async () => {
    const body = await getJson<ConsignmentBody>(`${system.url}/consignments/${DemoCast.carriedConsignment}`);
    expect(body.risk).toBe('critical');
    const rules = body.flags.map((f) => `${f.rule}:${f.subject.id}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        `ais-gap:${DemoCast.carrier}`,
        `encounter:${DemoCast.carrier}`,
        `encounter:${DemoCast.designatedPartner}`,
        `designated-vessel:${DemoCast.carrier}`,
        `quantity-shrinkage:${DemoCast.carriedConsignment}`,
      ]),
    );
  });

  it('shows the clean consignments verified and without risk', async () => {
    for (const id of DemoCast.cleanConsignments) {
      const body = await getJson<ConsignmentBody>(`${system.url}/consignments/${id}`);
      expect([id, body.status, body.risk, body.flags.length]).toEqual([id, 'verified', 'none', 0]);
    }
  });

  it('filters the demo flags by vessel and by rule', async () => {
    const byVessel = await getJson<{ items: FlagItem[] }>(
      `${system.url}/flags?status=open&mmsi=${DemoCast.carrier}`,
    );
    expect(byVessel.items.map((f) => f.rule).sort()).toEqual(
      ['ais-gap', 'designated-vessel', 'draught-change', 'encounter', 'loitering'].sort(),
    );
    const denied = await getJson<{ items: FlagItem[] }>(`${system.url}/flags?status=open&rule=access-denied`);
    expect(denied.items.map((f) => f.severity).sort()).toEqual(['critical', 'high']);
  });
});
