// Follows the probe pods of one run in one namespace: list, then watch from the list's
// resourceVersion, and again when the watch ends (polling instead when watches keep failing). Re-listing on every round means no event
// can be missed, whatever ends the watch: our timeoutSeconds, client-node 2.x's 30 s idle
// limit, a 410 Gone, a dropped connection. Waiters are re-evaluated on every change.

import { backoff, delay, type RetryPolicy } from './async';
import type { KubeClient } from './client';
import { ClusterError } from './errors';
import type { WirePod } from './types';

/** What a waiter sees: the latest pod, `deleted`, or undefined when not seen yet. */
export type PodView = WirePod | 'deleted' | undefined;

/** Consecutive failed watches after which we poll instead. */
const WATCH_FAILURES_BEFORE_POLLING = 3;

export interface FollowerOptions {
  /** Ask the server to end each watch after this long (below client-node's 30 s idle limit). */
  watchTimeoutSeconds: number;
  /** Interval between lists when watches do not work. */
  pollIntervalMs: number;
  retry: RetryPolicy;
  signal: AbortSignal;
}

export class PodFollower {
  private readonly pods = new Map<string, WirePod | 'deleted'>();
  private readonly waiters = new Set<() => void>();
  private readonly stopper = new AbortController();
  private failure: ClusterError | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    private readonly labelSelector: string,
    private readonly options: FollowerOptions,
  ) {
    this.loop = this.follow();
  }

  /** Resolves with `evaluate`'s first non-undefined answer for pod `name`. */
  waitFor<T>(name: string, evaluate: (pod: PodView) => T | undefined, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.waiters.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      const check = () => {
        if (this.failure) {
          done();
          reject(this.failure);
          return;
        }
        const answer = evaluate(this.pods.get(name));
        if (answer !== undefined) {
          done();
          resolve(answer);
        }
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }

  latest(name: string): PodView {
    return this.pods.get(name);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  private async follow(): Promise<void> {
    const signal = AbortSignal.any([this.options.signal, this.stopper.signal]);
    const { retry } = this.options;
    let listFailures = 0;
    let watchFailures = 0;
    let quickEnds = 0;
    while (!signal.aborted) {
      let resourceVersion: string;
      try {
        resourceVersion = await this.relist(signal);
        listFailures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (!(await this.retryOrFail(error, ++listFailures, signal))) return;
        continue;
      }
      try {
        if (watchFailures >= WATCH_FAILURES_BEFORE_POLLING) {
          // Watches keep failing here (a proxy that cuts streams?): poll instead.
          await delay(this.options.pollIntervalMs, signal);
          continue;
        }
        const started = Date.now();
        await this.client.watch(
          'Pod',
          {
            namespace: this.namespace,
            labelSelector: this.labelSelector,
            resourceVersion,
            timeoutSeconds: this.options.watchTimeoutSeconds,
            signal,
          },
          (type, object) => {
            const name = object.metadata?.name;
            // ERROR (e.g. 410 Gone) carries a Status, not a pod: the next round re-lists.
            if (type === 'ERROR' || type === 'BOOKMARK' || !name) return;
            this.pods.set(name, type === 'DELETED' ? 'deleted' : (object as WirePod));
            this.notify();
          },
        );
        watchFailures = 0;
        // A server that ends watches at once would make this loop spin: back off.
        quickEnds = Date.now() - started < 100 ? quickEnds + 1 : 0;
        if (quickEnds > 1) await delay(backoff(retry, quickEnds), signal);
      } catch (error) {
        if (signal.aborted) break;
        const retryable = error instanceof ClusterError && error.retryable;
        if (!retryable) {
          this.fail(error);
          return;
        }
        watchFailures++;
        try {
          await delay(backoff(retry, watchFailures), signal);
        } catch {
          break;
        }
      }
    }
  }

  /** Lists the run's pods, records them, and returns the list's resourceVersion. */
  private async relist(signal: AbortSignal): Promise<string> {
    const list = await this.client.list('Pod', {
      namespace: this.namespace,
      labelSelector: this.labelSelector,
      signal,
    });
    const listed = new Set<string>();
    for (const item of list.items as WirePod[]) {
      const name = item.metadata?.name ?? '';
      listed.add(name);
      this.pods.set(name, item);
    }
    // A pod we saw before that is no longer listed was deleted while we were not watching.
    for (const [name, pod] of this.pods) if (pod !== 'deleted' && !listed.has(name)) this.pods.set(name, 'deleted');
    this.notify();
    return list.resourceVersion;
  }

  /** After a failed list: false (and the follower failed) when it is not worth retrying. */
  private async retryOrFail(error: unknown, failures: number, signal: AbortSignal): Promise<boolean> {
    const retryable = error instanceof ClusterError && error.retryable;
    if (!retryable || failures >= this.options.retry.attempts) {
      this.fail(error);
      return false;
    }
    try {
      await delay(backoff(this.options.retry, failures), signal);
      return true;
    } catch {
      return false;
    }
  }

  private fail(error: unknown): void {
    this.failure =
      error instanceof ClusterError
        ? error
        : new ClusterError('unknown', `Following probe pods failed: ${String(error)}`);
    this.notify();
  }
}
