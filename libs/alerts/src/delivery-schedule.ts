/**
 * When to try a webhook delivery again: exponential backoff with "equal jitter" (half the delay fixed,
 * half random), capped — the scheme of AWS's "Exponential Backoff and Jitter" that spreads retries of
 * many receivers without letting any wait near zero. Attempt numbers start at 1.
 */
export interface RetryPolicy {
  /** Delay after the first failed attempt, in milliseconds. */
  baseDelayMs: number;
  /** Upper bound of any delay, in milliseconds. */
  maxDelayMs: number;
  /** Attempts in all before a delivery is dead (replayable through the API). */
  maxAttempts: number;
}

/** Milliseconds to wait after failed attempt `attempt`, or undefined when the delivery is now dead. `random` ∈ [0, 1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}
