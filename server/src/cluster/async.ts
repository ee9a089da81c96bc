// Small async helpers for the cluster layer: abortable waits, retries of transient API
// failures, and bounded concurrency.

import { ClusterError } from './errors';

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  /** Total attempts, including the first (default 4). */
  attempts: number;
  /** First back-off; doubles each time (default 250 ms). */
  baseDelayMs: number;
  /** Ceiling of one back-off (default 4 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

/**
 * The wait before retry number `attempt` (1-based): exponential, capped, with jitter so that
 * many clients (or many of our own concurrent requests) do not retry in lockstep.
 */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Runs `fn` again after transient failures (dropped connections, 5xx, 429, timeouts) with
 * exponential back-off. Anything else, or the last failure, is thrown as is.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const retryable = error instanceof ClusterError && error.retryable;
      if (!retryable || attempt >= policy.attempts || signal?.aborted) throw error;
      await delay(backoff(policy, attempt), signal);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; stops starting new ones once `stop()` is true. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const index = next++;
      await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
