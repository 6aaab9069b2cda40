import { Injectable } from '@nestjs/common';

export interface HealthCheckResult {
  ok: boolean;
  detail?: Record<string, unknown>;
}

/**
 * How long one check may take before `GET /health` reports it failed (ms): longer than the PostgreSQL store's
 * wait for older write transactions (10 s, `settleTimeoutMs`), so a transaction left open shows as a
 * projection catching up with its lag, not as a failed check.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 15_000;

/**
 * Components register a check; `GET /health` runs them all. The checks run side by side, so the answer takes
 * about as long as the slowest one, not their sum: on a service catching up a backlog each check's store read
 * waits for a turn of a busy event loop, and turns added up made probes slow. A check that throws, or takes
 * longer than `timeoutMs`, is reported failed with its reason (`detail.error`); the others are still reported.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, () => Promise<HealthCheckResult> | HealthCheckResult>();

  /** How long one check may take (ms). */
  timeoutMs = HEALTH_CHECK_TIMEOUT_MS;

  register(name: string, check: () => Promise<HealthCheckResult> | HealthCheckResult): void {
    this.checks.set(name, check);
  }

  async run(): Promise<{ status: 'ok' | 'degraded'; checks: Record<string, HealthCheckResult> }> {
    const names = [...this.checks.keys()];
    const results = await Promise.all([...this.checks.values()].map((check) => this.runOne(check)));
    const checks: Record<string, HealthCheckResult> = {};
    names.forEach((name, i) => (checks[name] = results[i]));
    const ok = results.every((c) => c.ok);
    return { status: ok ? 'ok' : 'degraded', checks };
  }

  private async runOne(
    check: () => Promise<HealthCheckResult> | HealthCheckResult,
  ): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      return await Promise.race([Promise.resolve().then(check), timedOut]);
    } catch (error) {
      return { ok: false, detail: { error: (error as Error).message } };
    } finally {
      clearTimeout(timer);
    }
  }
}
