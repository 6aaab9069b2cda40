// What one organisation can make the deployment hold: its producer posts registrations of 50 lines outside its
// exemption (21 item-not-exempt flags each) as fast as the limits let it, until it is refused (403); meanwhile
// another organisation's new flag is timed from its post to its own GET /flags. Prints the registrations and
// flags accepted, when the 403 came, detection's lag, the heap (after GC) before and after and per flag, and the
// other organisation's latency. Then (phase `toggle`) a third organisation toggles its registration's bill of
// lading between the second's document and its own, BENCH_TOGGLE_RATE requests a second for
// BENCH_TOGGLE_SECONDS, while the second organisation's webhook receiver is down (answers 503): prints the rate
// its requests were served at, first and last 10 s, detection's lag, and how many requests the receiver got.
// Run: npm run bench:tenant-flood (defaults of every limit; override them by env; BENCH_PHASES=lines,toggle).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { consignmentRegistered, exemptionGranted } from '../libs/domain/src/testing';
import { startTestSystem } from '../test/support/aidwatch-process';

const gc = () => {
  for (let i = 0; i < 3; i++) (global as { gc?: () => void }).gc?.();
};
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};
const LINES = 50;
const PHASES = new Set((process.env.BENCH_PHASES ?? 'lines,toggle').split(','));
const TOGGLE_RATE = Number(process.env.BENCH_TOGGLE_RATE ?? 95);
const TOGGLE_SECONDS = Number(process.env.BENCH_TOGGLE_SECONDS ?? 60);
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;

async function main(): Promise<void> {
  const system = await startTestSystem({ RATE_LIMIT_REQUESTS: '1000000', WEBHOOK_PRIVATE_TARGETS: 'true' });
  const relay = system.credential({ role: 'producer', sources: ['*'] });
  const flooder = system.credential({ role: 'producer', tenant: 'A', sources: ['*'] });
  const other = system.credential({ role: 'producer', tenant: 'B', sources: ['*'] });
  const otherReader = system.credential({ role: 'dashboard', tenant: 'B' });
  const post = (as: string, body: unknown) =>
    system.fetch(`${system.url}/events`, {
      method: 'POST',
      as,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
  const grants = await post(relay, [
    exemptionGranted({ id: 'g-a', subject: 'EX-A', data: { exemptionId: 'EX-A', implementingOrg: 'A' } }),
    exemptionGranted({ id: 'g-b', subject: 'EX-B', data: { exemptionId: 'EX-B', implementingOrg: 'B' } }),
  ]);
  if (grants.status !== 202) throw new Error(`grants: ${grants.status}`);
  await new Promise((r) => setTimeout(r, 1000));
  if (PHASES.has('lines')) await linesFlood();
  if (PHASES.has('toggle')) await toggleFlood();
  await system.stop();

  async function linesFlood(): Promise<void> {
    const before = heapMb();
    const started = Date.now();
    let sent = 0;
    let refusedAt: number | undefined;
    let maxLag = 0;
    const probes: number[] = [];
    let probe = 0;
    const probing = setInterval(() => {
      void (async () => {
        const id = `B-PROBE-${probe++}`;
        const t = Date.now();
        await post(other, [
          consignmentRegistered({
            id: `r-${id}`,
            subject: id,
            data: {
              consignmentId: id,
              exemptionId: 'EX-B',
              items: [
                { itemCode: 'X-B', hsCode: '9301.10', description: 'outside', quantity: 1, unit: 'kg' },
              ],
            } as never,
          }),
        ]);
        for (;;) {
          const flags = (await (
            await system.fetch(`${system.url}/flags?consignmentId=${id}`, { as: otherReader })
          ).json()) as { items: unknown[] };
          if (flags.items.length > 0) break;
          if (Date.now() - t > 60_000) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        probes.push(Date.now() - t);
        const health = (await (
          await system.fetch(`${system.url}/health`, { as: system.keys.operator })
        ).json()) as {
          checks?: { detection?: { detail?: { lagSeconds?: number } } };
        };
        maxLag = Math.max(maxLag, health.checks?.detection?.detail?.lagSeconds ?? 0);
      })();
    }, 2000);
    while (refusedAt === undefined) {
      const batch = Array.from({ length: 10 }, (_, k) =>
        consignmentRegistered({
          id: `r-${sent + k}`,
          subject: `C-${sent + k}`,
          data: {
            consignmentId: `C-${sent + k}`,
            exemptionId: 'EX-A',
            billOfLading: `BL-${sent + k}`,
            items: Array.from({ length: LINES }, (_, i) => ({
              itemCode: `X-${i}`,
              hsCode: '9301.10',
              description: `line ${i}`,
              quantity: 10,
              unit: 'kg',
            })),
          } as never,
        }),
      );
      const res = await post(flooder, batch);
      if (res.status === 202) sent += batch.length;
      else if (res.status === 429) await new Promise((r) => setTimeout(r, 1000));
      else if (res.status === 403) refusedAt = Date.now() - started;
      else throw new Error(`flood: ${res.status} ${await res.text()}`);
    }
    clearInterval(probing);
    await new Promise((r) => setTimeout(r, 5000));
    let flags = 0;
    for (let after: string | null = null; ;) {
      const page = (await (
        await system.fetch(`${system.url}/flags?limit=1000${after ? `&after=${after}` : ''}`, {
          as: system.keys.operator,
        })
      ).json()) as { items: Array<{ consignmentIds: string[] }>; next: string | null };
      flags += page.items.filter((f) => f.consignmentIds.some((c) => c.startsWith('C-'))).length;
      if (!page.next) break;
      after = page.next;
    }
    const afterHeap = heapMb();
    const row = (name: string, value: string) => console.log(`${name.padEnd(52)} ${value}`);
    row('registrations accepted (50 lines each)', String(sent));
    row('flags held by the flooding organisation', String(flags));
    row('refused (403) after', `${(refusedAt / 1000).toFixed(0)} s`);
    row('heap before / after (MB, after GC)', `${before.toFixed(0)} / ${afterHeap.toFixed(0)}`);
    row(
      'heap per flag (KB, its consignment state included)',
      (((afterHeap - before) * 1000) / Math.max(1, flags)).toFixed(1),
    );
    row(
      "other organisation's flag, post → its GET /flags (ms)",
      `p50 ${quantile(probes, 0.5)} max ${Math.max(...probes)} (${probes.length} probes)`,
    );
    row('detection lag seen (s, max)', maxLag.toFixed(1));
  }

  async function detectionLag(): Promise<number> {
    const health = (await (
      await system.fetch(`${system.url}/health`, { as: system.keys.operator })
    ).json()) as {
      checks?: { detection?: { detail?: { lagSeconds?: number } } };
    };
    return health.checks?.detection?.detail?.lagSeconds ?? 0;
  }

  async function toggleFlood(): Promise<void> {
    let received = 0;
    const receiver = http.createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => res.writeHead(503).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const toggler = system.credential({ role: 'producer', tenant: 'C', sources: ['*'] });
    const grant = await post(relay, [
      exemptionGranted({ id: 'g-c', subject: 'EX-C', data: { exemptionId: 'EX-C', implementingOrg: 'C' } }),
    ]);
    if (grant.status !== 202) throw new Error(`grant: ${grant.status}`);
    const own = await post(other, [
      consignmentRegistered({
        id: 'r-b-doc',
        subject: 'C-B-DOC',
        data: { consignmentId: 'C-B-DOC', exemptionId: 'EX-B', billOfLading: 'BL-B-DOC' },
      }),
    ]);
    if (own.status !== 202) throw new Error(`B's registration: ${own.status}`);
    const subscribed = await system.fetch(`${system.url}/subscriptions`, {
      method: 'POST',
      as: otherReader,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, filters: {} }),
    });
    if (subscribed.status !== 201) throw new Error(`subscription: ${subscribed.status}`);
    const started = Date.now();
    const served: number[] = [];
    const statuses: Record<number, number> = {};
    let refusedFrom: number | undefined;
    let maxLag = 0;
    const lagTimer = setInterval(
      () => void detectionLag().then((lag) => (maxLag = Math.max(maxLag, lag))),
      2000,
    );
    for (let n = 0; Date.now() - started < TOGGLE_SECONDS * 1000; n++) {
      const tick = Date.now();
      const res = await post(toggler, [
        consignmentRegistered({
          id: `r-c-${n}`,
          subject: 'C-C-TOGGLE',
          time: new Date(Date.parse('2026-09-01T00:00:00Z') + n * 1000).toISOString(),
          data: {
            consignmentId: 'C-C-TOGGLE',
            exemptionId: 'EX-C',
            billOfLading: n % 2 === 0 ? 'BL-B-DOC' : 'BL-C-OWN',
          },
        }),
      ]);
      served.push(Date.now() - started);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 403) refusedFrom ??= Date.now() - started;
      const wait = 1000 / TOGGLE_RATE - (Date.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    clearInterval(lagTimer);
    const window = (from: number) => served.filter((t) => t >= from && t < from + 10_000).length / 10;
    const row = (name: string, value: string) => console.log(`${name.padEnd(52)} ${value}`);
    row(
      `toggles answered a second (asked ${TOGGLE_RATE}), first / last 10 s`,
      `${window(0)} / ${window(TOGGLE_SECONDS * 1000 - 10_000)}`,
    );
    const refused = refusedFrom === undefined ? '' : `; 403 from ${(refusedFrom / 1000).toFixed(0)} s`;
    row('answers by status', `${JSON.stringify(statuses)}${refused}`);
    row('detection lag seen while toggling (s, max)', maxLag.toFixed(1));
    row('requests the down receiver got', String(received));
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
