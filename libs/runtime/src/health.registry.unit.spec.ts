import { HealthRegistry } from './health.registry';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('HealthRegistry', () => {
  it('runs the checks side by side: the answer waits for the slowest, not for their sum', async () => {
    const health = new HealthRegistry();
    const started: string[] = [];
    const finished: string[] = [];
    for (const name of ['a', 'b', 'c'])
      health.register(name, async () => {
        started.push(name);
        // Every check has started before any finishes only when they run side by side.
        expect(finished).toEqual([]);
        await after(20, undefined);
        finished.push(name);
        return { ok: true };
      });
    const report = await health.run();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(report).toEqual({ status: 'ok', checks: { a: { ok: true }, b: { ok: true }, c: { ok: true } } });
  });

  it('reports a check that throws, or throws before its promise, as failed and keeps the others', async () => {
    const health = new HealthRegistry();
    health.register('sync', () => {
      throw new Error('broken');
    });
    health.register('async', async () => Promise.reject(new Error('refused')));
    health.register('fine', () => ({ ok: true, detail: { n: 1 } }));
    expect(await health.run()).toEqual({
      status: 'degraded',
      checks: {
        sync: { ok: false, detail: { error: 'broken' } },
        async: { ok: false, detail: { error: 'refused' } },
        fine: { ok: true, detail: { n: 1 } },
      },
    });
  });

  it('reports a check that does not answer within the timeout as failed, with the others', async () => {
    const health = new HealthRegistry();
    health.timeoutMs = 50;
    health.register('hung', () => new Promise(() => undefined));
    health.register('fine', () => ({ ok: true }));
    const report = await health.run();
    expect(report.status).toBe('degraded');
    expect(report.checks.hung).toEqual({ ok: false, detail: { error: 'no answer within 50 ms' } });
    expect(report.checks.fine).toEqual({ ok: true });
  });
});
