import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Flag } from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';
import { SseClient } from '../support/sse-client';

/**
 * Redaction per reader through the real API (contract "Access", redaction): one vessel carries aid of
 * organisations A and B. Each organisation's dashboard reads `/flags`, `/alerts`, `/alerts/groups`, the
 * alert with its history and comments, the alert stream, and receives its webhooks; it finds its own
 * consignment, exemption, site and note, and nothing of the other organisation's. The operator reads the
 * whole alert; flag and alert ids are the same for everyone.
 */
const ORG = { A: 'Relief Org A', B: 'Relief Org B' } as const;
const EXEMPTION = { A: 'EX-RA-1', B: 'EX-RB-1' } as const;
const SITE = { A: 'SITE-RA-1', B: 'SITE-RB-1' } as const;
const CONSIGNMENT = { A: 'CSG-RA-1', B: 'CSG-RB-1' } as const;
const NOTE = { A: 'note-by-A-7f3e', B: 'note-by-B-91cd' } as const;
const VESSEL = '412000077';
const FINGERPRINT = '7e57ab1e0000000000000000000000ab';
const FLAG_ID = '7e57ab1e0000000000000000000000f1';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeToken = (id: string) => new RegExp(`(?<![\\p{L}\\p{N}_-])${escape(id)}(?![\\p{L}\\p{N}_-])`, 'u');
const secretsOf = (org: 'A' | 'B') => [ORG[org], EXEMPTION[org], SITE[org], CONSIGNMENT[org], NOTE[org]];

/** A webhook receiver: every body it is sent, by path. */
class Receiver {
  readonly bodies = new Map<string, string[]>();
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      this.bodies.set(req.url ?? '', [...(this.bodies.get(req.url ?? '') ?? []), body]);
      res.writeHead(204).end();
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('redaction per reader on a vessel alert shared by two organisations', () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  const receiver = new Receiver();
  const key = { A: '', B: '' };
  const streams: Partial<Record<'A' | 'B', SseClient>> = {};

  const post = (as: string, path: string, body: unknown) =>
    system.fetch(`${system.url}${path}`, {
      method: 'POST',
      as,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const read = async (as: string, path: string) => {
    const res = await system.fetch(`${system.url}${path}`, { as });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.text();
  };

  beforeAll(async () => {
    system = await startTestSystem({ RATE_LIMIT_REQUESTS: '100000', WEBHOOK_PRIVATE_TARGETS: 'true' });
    const hooks = await receiver.start();
    const story = (['A', 'B'] as const).flatMap((org) => [
      exemptionGranted({
        id: `rpr-grant-${org}`,
        subject: EXEMPTION[org],
        data: {
          exemptionId: EXEMPTION[org],
          implementingOrg: ORG[org],
          sites: [{ siteId: SITE[org], name: `Warehouse ${org}`, lat: 39, lon: 125.7, radiusKm: 2 }],
        },
      }),
      consignmentRegistered({
        id: `rpr-registered-${org}`,
        subject: CONSIGNMENT[org],
        data: { consignmentId: CONSIGNMENT[org], exemptionId: EXEMPTION[org] },
      }),
    ]);
    expect((await post(system.keys.producer, '/events', story)).status).toBe(202);
    for (const org of ['A', 'B'] as const) {
      key[org] = system.credential({ role: 'dashboard', tenant: ORG[org] });
      await eventually(async () =>
        (await system.fetch(`${system.url}/consignments/${CONSIGNMENT[org]}`, { as: key[org] })).ok
          ? true
          : undefined,
      );
      const subscribed = await post(key[org], '/subscriptions', {
        url: `${hooks}/${org}`,
        filters: { vessel: [VESSEL] },
      });
      expect(subscribed.status).toBe(201);
      const sse = new SseClient(`${system.url}/alerts/stream`, system.auth(key[org]));
      await sse.open();
      streams[org] = sse;
    }
    const aboard = [CONSIGNMENT.A, CONSIGNMENT.B];
    const shared: Flag = {
      flagId: FLAG_ID,
      fingerprint: FINGERPRINT,
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: VESSEL },
      consignmentIds: aboard,
      observed: { consignmentsOnBoard: aboard, siteId: SITE.B },
      threshold: {},
      evidence: aboard.map((c) => `${c}/loaded`),
      explanation: `Vessel ${VESSEL} met a designated vessel off ${SITE.B}; aid on board: ${aboard.join(', ')} (${ORG.A}, ${ORG.B}; exemptions ${EXEMPTION.A}, ${EXEMPTION.B}).`,
      raisedAt: '2026-10-01T00:00:00Z',
    };
    await system.app.get<EventStore>(EVENT_STORE).appendMany(flagWrites([flagRaisedEvent(shared)]));
    await eventually(async () =>
      (await system.fetch(`${system.url}/alerts/${FINGERPRINT}`)).ok ? true : undefined,
    );
    for (const org of ['A', 'B'] as const)
      expect((await post(key[org], `/alerts/${FINGERPRINT}/comments`, { comment: NOTE[org] })).status).toBe(
        201,
      );
    // Each organisation receives the flag and its own comment: the other's comment is on the other's own
    // view of the alert (contract "Access", shared alerts), never delivered to it.
    for (const org of ['A', 'B'] as const) {
      await streams[org]!.waitFor((frames) => frames.filter((f) => f.data.includes(FINGERPRINT)).length >= 2);
      await eventually(
        async () => ((receiver.bodies.get(`/${org}`)?.length ?? 0) >= 2 ? true : undefined),
        30_000,
      );
    }
  });
  afterAll(async () => {
    for (const sse of Object.values(streams)) await sse?.close();
    await system?.stop();
    await receiver.stop();
  });

  it.each(['A', 'B'] as const)(
    'organisation %s receives its own identifiers and note, none of the other’s, on every read path',
    async (org) => {
      const other = org === 'A' ? 'B' : 'A';
      const answers: Array<[string, string]> = [];
      for (const path of [
        '/flags?limit=1000',
        '/alerts?limit=1000',
        '/alerts/groups',
        `/alerts/${FINGERPRINT}`,
      ])
        answers.push([path, await read(key[org], path)]);
      answers.push(['/alerts/stream', streams[org]!.frames.map((f) => f.data).join('\n')]);
      answers.push(['webhooks', receiver.bodies.get(`/${org}`)!.join('\n')]);
      const leaks = answers.flatMap(([path, body]) =>
        secretsOf(other)
          .filter((secret) => wholeToken(secret).test(body))
          .map((secret) => `${path}: ${secret}`),
      );
      expect(leaks).toEqual([]);

      const alert = JSON.parse(answers[3][1]) as {
        alertId: string;
        flagIds: string[];
        consignmentIds: string[];
        labels: { organisation: string[]; consignmentId: string[]; exemptionId: string[] };
        flag: { flagId: string; explanation: string };
        history: Array<{ type: string; by: string; note?: string }>;
      };
      expect(alert.alertId).toBe(FINGERPRINT);
      expect(alert.flagIds).toEqual([FLAG_ID]);
      expect(alert.flag.flagId).toBe(FLAG_ID);
      expect(alert.consignmentIds).toEqual([CONSIGNMENT[org]]);
      expect(alert.labels).toMatchObject({
        organisation: [ORG[org]],
        consignmentId: [CONSIGNMENT[org]],
        exemptionId: [EXEMPTION[org]],
      });
      expect(alert.flag.explanation).toContain(CONSIGNMENT[org]);
      expect(alert.flag.explanation).toContain('[another organisation]');
      const comments = alert.history.filter((h) => h.type === 'commented');
      expect(comments.map((h) => h.note)).toEqual([NOTE[org]]);
      const commentFrames = streams[org]!.frames.filter((f) => f.event?.includes('commented'));
      expect(commentFrames.length).toBe(1);
      expect(receiver.bodies.get(`/${org}`)!.filter((b) => b.includes(NOTE[other])).length).toBe(0);
      const groups = JSON.parse(answers[2][1]) as { items: Array<{ consignmentId: string }> };
      expect(groups.items.map((g) => g.consignmentId)).toEqual([CONSIGNMENT[org]]);
      const flags = JSON.parse(answers[0][1]) as {
        items: Array<{ flagId: string; consignmentIds: string[] }>;
      };
      expect(flags.items.find((f) => f.flagId === FLAG_ID)?.consignmentIds).toEqual([CONSIGNMENT[org]]);
      // The webhook and stream carried the flag with the same id as everyone's.
      expect(receiver.bodies.get(`/${org}`)!.some((b) => b.includes(FLAG_ID))).toBe(true);
    },
  );

  it('gives the operator the whole alert: both organisations’ identifiers and notes', async () => {
    const body = await read(system.keys.operator, `/alerts/${FINGERPRINT}`);
    // (The flag names B's site only.)
    for (const secret of [...secretsOf('A'), ...secretsOf('B')].filter((s) => s !== SITE.A))
      expect(body).toMatch(wholeToken(secret));
    const alert = JSON.parse(body) as { consignmentIds: string[]; flag: { explanation: string } };
    expect(alert.consignmentIds).toEqual([CONSIGNMENT.A, CONSIGNMENT.B]);
    expect(alert.flag.explanation).not.toContain('[another organisation]');
  });
});
