// One execution of ProbeRunner.run(): its passes over pod tasks (bounded concurrency,
// following pods, reading results), how failures stop a namespace or the whole run, the
// optional re-probe pass, and the cleanup that always follows.

import { forEachLimited, withRetry } from './async';
import { cleanupRun, type ObjectRef, type SweepReport } from './cleanup';
import type { KubeClient } from './client';
import { ClusterError } from './errors';
import { PodFollower } from './follower';
import { planTasks, type PodTask } from './plan';
import { describePending, isImageProblem, podOutcome, type PodOutcome } from './podOutcome';
import { preflight, type AdoptionFinding, type PreflightReport } from './preflight';
import { buildOwnerConfigMap, ownerConfigMapName, RUN_ID_LABEL, type ProbeWord, type RunOwner } from './probePod';
import type { Observed, ProbeResult, ProbeRunner, Resolved, RunPlan, RunProgress, RunReport, RunStage } from './runner';
import type { WireObject } from './types';

/** Errors that stop the whole run; others (Pod Security, quota, webhooks, RBAC) stop one namespace. */
const RUN_FATAL = new Set<ClusterError['kind']>([
  'unreachable',
  'unauthorized',
  'timeout',
  'server-error',
  'tls',
  'unknown',
]);

const OBSERVED: Record<ProbeWord, Observed> = {
  CONNECTED: 'connected',
  TIMEOUT: 'timeout',
  REFUSED: 'refused',
  DNS: 'dns',
  OTHER: 'other',
};

/** Why waits stopped: the root cause, kept on the internal signal's reason. */
class Stop extends Error {
  constructor(readonly error: ClusterError) {
    super(error.message);
  }
}

/** One execution of run(): its state, its passes, its cleanup. */
export class Run {
  private readonly client: KubeClient;
  private readonly internal = new AbortController();
  private readonly results = new Map<string, ProbeResult>();
  private readonly order: string[] = [];
  private readonly created: ObjectRef[] = [];
  private readonly touched = new Set<string>();
  private readonly owners = new Map<string, Promise<RunOwner>>();
  private readonly failedNamespaces = new Map<string, ClusterError>();
  private readonly nsStops = new Map<string, AbortController>();
  private readonly skippedSources = new Map<string, string>();
  private readonly problems: ClusterError[] = [];
  private callerError: { error: unknown } | undefined;
  private podsCreated = 0;
  private progress = { done: 0, total: 0 };
  private readonly expires: Date;

  constructor(
    private readonly runner: ProbeRunner,
    private readonly plan: RunPlan,
    private readonly o: Resolved,
    private readonly runId: string,
  ) {
    this.client = runner.client;
    this.expires = new Date(o.now() + o.timeoutMs + o.podDeadlineSeconds * 1000);
    for (const source of plan.sources) {
      for (const target of source.targets) {
        this.order.push(target.id);
        this.results.set(target.id, {
          id: target.id,
          sourceId: source.id,
          namespace: source.namespace,
          target: { proto: target.proto, ip: target.ip, port: target.port },
          observed: 'error',
          attempts: [],
        });
      }
    }
  }

  private get signal(): AbortSignal {
    return this.internal.signal;
  }

  private stop(error: ClusterError): void {
    if (!this.signal.aborted) this.internal.abort(new Stop(error));
  }

  private stopReason(): ClusterError | undefined {
    const reason: unknown = this.signal.reason;
    return reason instanceof Stop ? reason.error : undefined;
  }

  private emit(event: RunProgress): void {
    try {
      this.o.onProgress?.(event);
    } catch (error) {
      // The caller's callback failed: stop, clean up, and re-throw it from run().
      this.callerError ??= { error };
      this.stop(new ClusterError('cancelled', 'Stopped because the progress callback threw.'));
    }
  }

  private stage(stage: RunStage, message: string): void {
    this.emit({ type: 'stage', stage, message, ...this.progress });
  }

  async execute(): Promise<RunReport> {
    const o = this.o;
    const onCancel = () =>
      this.stop(new ClusterError('cancelled', 'The probe run was cancelled; its probe pods are being removed.'));
    o.signal?.addEventListener('abort', onCancel, { once: true });
    if (o.signal?.aborted) onCancel();
    const deadline = setTimeout(
      () =>
        this.stop(
          new ClusterError(
            'timeout',
            `The probe run did not finish within ${Math.round(o.timeoutMs / 1000)} s; unfinished probes are reported as errors.`,
          ),
        ),
      o.timeoutMs,
    );
    let sweep: SweepReport | undefined;
    let preflightReport: PreflightReport | undefined;
    let unexpected: { error: unknown } | undefined;
    try {
      const first = planTasks(this.plan, o, `netreach-${this.runId}-`, () => true);
      for (const s of first.skipped) this.results.get(s.id)!.detail = s.reason;
      if (first.tasks.length > o.maxPods) {
        throw new ClusterError(
          'too-many-pods',
          `This plan needs ${first.tasks.length} probe pods, more than the cap of ${o.maxPods} per run. ` +
            'Probe fewer sources or destinations at a time, or raise the cap.',
        );
      }
      const namespaces = [...new Set(first.tasks.map((t) => t.source.namespace))];
      if (o.sweep && namespaces.length) {
        this.stage('sweep', 'Removing leftovers of earlier runs');
        sweep = await this.runner.sweepStale({ namespaces, signal: this.signal, now: o.now, retry: o.retry });
        // Not being able to sweep is no reason to stop (preflight names missing permissions),
        // but an unreachable server or rejected credentials will not get better.
        if (sweep.error && RUN_FATAL.has(sweep.error.kind)) throw sweep.error;
      }
      if (o.preflight && namespaces.length) {
        this.stage('preflight', 'Checking permissions and safety');
        preflightReport = await preflight(
          this.client,
          this.plan.sources.map((s) => ({ id: s.id, namespace: s.namespace, labels: s.labels })),
          { signal: this.signal, retry: o.retry },
        );
        this.skipUnsafe(preflightReport.adoption);
      }
      await this.pass(first.tasks, 'probe');
      if (o.reprobe && !this.signal.aborted) await this.reprobe(first.tasks.length);
    } catch (error) {
      // A ClusterError before or between passes (too many pods, missing permissions,
      // unreachable) stops the run like any other; anything else is a bug, re-thrown after cleanup.
      if (error instanceof ClusterError) this.stop(error);
      else if (!(error instanceof Stop)) unexpected = { error };
    } finally {
      clearTimeout(deadline);
      o.signal?.removeEventListener('abort', onCancel);
    }

    const runError = this.stopReason();
    this.stage('cleanup', 'Removing probe pods');
    const cleanup = await cleanupRun(this.client, this.runId, this.created, [...this.touched], {
      retry: o.retry,
      signal: AbortSignal.timeout(o.cleanupTimeoutMs),
      podDeadlineSeconds: o.podDeadlineSeconds,
    });
    this.finishResults(runError);
    this.stage('done', runError ? runError.message : 'Probe run finished');
    if (this.callerError) throw this.callerError.error;
    if (unexpected) throw unexpected.error;
    return {
      runId: this.runId,
      target: this.client.target,
      results: this.order.map((id) => this.results.get(id)!),
      ...(runError ? { error: runError } : {}),
      problems: this.problems,
      cancelled: runError?.kind === 'cancelled' && !this.callerError,
      ...(preflightReport ? { preflight: preflightReport } : {}),
      ...(sweep ? { sweep } : {}),
      cleanup,
      podsCreated: this.podsCreated,
    };
  }

  private skipUnsafe(findings: AdoptionFinding[]): void {
    for (const f of findings)
      if (f.blocking && !this.skippedSources.has(f.sourceId)) this.skippedSources.set(f.sourceId, f.message);
  }

  private async reprobe(firstPassPods: number): Promise<void> {
    let ids: readonly string[];
    try {
      ids = await this.o.reprobe!(this.order.map((id) => ({ ...this.results.get(id)! })));
    } catch (error) {
      this.callerError ??= { error };
      this.stop(new ClusterError('cancelled', 'Stopped because the reprobe callback threw.'));
      return;
    }
    // Only targets that were actually probed can be re-probed.
    const wanted = new Set(ids.filter((id) => this.results.get(id)?.attempts.length));
    if (!wanted.size) return;
    const { tasks } = planTasks(this.plan, this.o, `netreach-${this.runId}-r`, (t) => wanted.has(t.id));
    const room = Math.max(0, this.o.maxPods - firstPassPods);
    for (const task of tasks.slice(room)) {
      for (const ids2 of task.targets.values()) {
        for (const id of ids2) this.note(id, 'not re-probed: the run reached its cap on probe pods');
      }
    }
    await this.pass(tasks.slice(0, room), 'reprobe');
  }

  private note(id: string, text: string): void {
    const r = this.results.get(id)!;
    r.detail = r.detail ? `${r.detail}; ${text}` : text;
  }

  /** Probes a set of pod tasks with bounded concurrency; never throws. */
  private async pass(tasks: PodTask[], stage: 'probe' | 'reprobe'): Promise<void> {
    this.progress = { done: 0, total: tasks.reduce((n, t) => n + [...t.targets.values()].flat().length, 0) };
    this.stage(
      stage,
      stage === 'probe' ? `Probing from ${tasks.length} pod(s)` : `Re-probing from ${tasks.length} pod(s)`,
    );
    const followers = new Map<string, PodFollower>();
    const follower = (namespace: string) => {
      let f = followers.get(namespace);
      if (!f) {
        f = new PodFollower(this.client, namespace, `${RUN_ID_LABEL}=${this.runId}`, {
          watchTimeoutSeconds: this.o.watchTimeoutSeconds,
          pollIntervalMs: this.o.pollIntervalMs,
          retry: this.o.retry,
          signal: this.signal,
        });
        followers.set(namespace, f);
      }
      return f;
    };
    try {
      await forEachLimited(
        tasks,
        this.o.concurrency,
        (task) => this.probe(task, follower, stage),
        () => this.signal.aborted,
      );
    } finally {
      await Promise.all([...followers.values()].map((f) => f.stop()));
    }
    // Tasks never started (the run stopped) keep their targets as errors; finishResults explains.
    for (const task of tasks) if (!task.lastSeen) task.lastSeen = 'not created';
    this.allTasks.push(...tasks);
  }

  /** Every task of every pass, for explaining unobserved targets at the end. */
  private readonly allTasks: PodTask[] = [];

  private namespaceSignal(namespace: string): AbortSignal {
    let c = this.nsStops.get(namespace);
    if (!c) this.nsStops.set(namespace, (c = new AbortController()));
    return AbortSignal.any([this.signal, c.signal]);
  }

  /** Stops every probe in one namespace (its admission refused us, or the image cannot be pulled there). */
  private failNamespace(namespace: string, error: ClusterError): void {
    if (this.failedNamespaces.has(namespace)) return;
    this.failedNamespaces.set(namespace, error);
    this.problems.push(error);
    this.nsStops.get(namespace)?.abort(new Stop(error));
  }

  private owner(namespace: string, signal: AbortSignal): Promise<RunOwner> {
    let owner = this.owners.get(namespace);
    if (!owner) {
      const body = buildOwnerConfigMap(this.runId, namespace, this.expires);
      const name = ownerConfigMapName(this.runId);
      this.created.push({ kind: 'ConfigMap', namespace, name });
      this.touched.add(namespace);
      owner = this.createOrAdopt('ConfigMap', namespace, body, signal).then((cm) => ({
        name,
        uid: cm.metadata?.uid ?? '',
      }));
      // A failed owner must not poison later attempts in other passes.
      owner.catch(() => this.owners.delete(namespace));
      this.owners.set(namespace, owner);
    }
    return owner;
  }

  /**
   * Create with retries. Names are deterministic, so when a retried create finds the object
   * already there (the first answer was lost), it is ours: read it back.
   */
  private async createOrAdopt(
    kind: 'Pod' | 'ConfigMap',
    namespace: string,
    body: WireObject,
    signal: AbortSignal,
  ): Promise<WireObject> {
    const name = body.metadata?.name ?? '';
    return withRetry(
      async () => {
        try {
          return await this.client.create(kind, namespace, body, { signal });
        } catch (error) {
          if (!(error instanceof ClusterError) || error.kind !== 'conflict') throw error;
          const existing = await this.client.get(kind, namespace, name, { signal });
          if (existing?.metadata?.labels?.[RUN_ID_LABEL] !== this.runId) throw error;
          return existing;
        }
      },
      this.o.retry,
      signal,
    );
  }

  private async probe(task: PodTask, follower: (ns: string) => PodFollower, stage: 'probe' | 'reprobe'): Promise<void> {
    const namespace = task.source.namespace;
    const skipped = this.skippedSources.get(task.source.id);
    if (skipped) {
      task.lastSeen = 'skipped';
      return this.record(task, undefined, `not probed: ${skipped}`, stage);
    }
    const failed = this.failedNamespaces.get(namespace);
    if (failed) {
      task.lastSeen = 'skipped';
      return this.record(task, undefined, `not probed: ${failed.message}`, stage);
    }
    const signal = this.namespaceSignal(namespace);
    try {
      const owner = await this.owner(namespace, signal);
      const f = follower(namespace);
      this.created.push({ kind: 'Pod', namespace, name: task.name });
      task.lastSeen = 'being created';
      await this.createOrAdopt('Pod', namespace, this.runner.manifest(task, this.runId, owner, this.o), signal);
      this.podsCreated++;
      this.emit({ type: 'pod', namespace, name: task.name, state: 'created', ...this.progress });
      let announcedRunning = false;
      const outcome = await f.waitFor<PodOutcome>(
        task.name,
        (view) => {
          if (view && view !== 'deleted') {
            task.lastSeen = describePending(view);
            if (!announcedRunning && view.status?.phase === 'Running') {
              announcedRunning = true;
              this.emit({ type: 'pod', namespace, name: task.name, state: 'running', ...this.progress });
            }
          }
          return podOutcome(view);
        },
        signal,
      );
      this.handleOutcome(task, outcome, stage);
      // Remove it now rather than at the end: fewer pods alive, less left if we die.
      if (outcome.kind !== 'deleted')
        await this.client.delete('Pod', namespace, task.name, { signal }).catch(() => undefined);
    } catch (error) {
      if (error instanceof Stop) return; // the run or the namespace stopped; finishResults explains
      if (this.signal.aborted) return;
      const e = error instanceof ClusterError ? error : new ClusterError('unknown', String(error));
      if (RUN_FATAL.has(e.kind)) {
        this.stop(e);
      } else {
        // Pod Security, quota, webhooks, RBAC in this namespace, namespace gone: the namespace's other probes would fail alike.
        this.failNamespace(namespace, e);
      }
    }
  }

  private handleOutcome(task: PodTask, outcome: PodOutcome, stage: 'probe' | 'reprobe'): void {
    const namespace = task.source.namespace;
    if (outcome.kind === 'deleted') {
      task.lastSeen = 'deleted';
      this.emit({
        type: 'pod',
        namespace,
        name: task.name,
        state: 'failed',
        detail: 'deleted by someone else',
        ...this.progress,
      });
      return this.record(
        task,
        undefined,
        'not probed: the probe pod was deleted by someone else before it finished',
        stage,
      );
    }
    if (outcome.kind === 'cannot-start') {
      task.lastSeen = outcome.problem;
      const image = this.o.image ?? 'the default agnhost image';
      const error = isImageProblem(outcome.reason)
        ? new ClusterError(
            'image-pull',
            `The probe image (${image}) cannot be pulled in namespace "${namespace}": ${outcome.problem}. ` +
              'If the nodes cannot reach registry.k8s.io, mirror the image and pass --image (and imagePullSecrets if needed).',
          )
        : new ClusterError(
            'invalid',
            `The probe container cannot start in namespace "${namespace}": ${outcome.problem}.`,
          );
      this.emit({
        type: 'pod',
        namespace,
        name: task.name,
        state: 'failed',
        detail: outcome.problem,
        ...this.progress,
      });
      this.failNamespace(namespace, error);
      return this.record(task, undefined, `not probed: ${error.message}`, stage);
    }
    task.lastSeen = outcome.problem ?? 'finished';
    this.emit({
      type: 'pod',
      namespace,
      name: task.name,
      state: outcome.problem ? 'failed' : 'finished',
      ...(outcome.problem ? { detail: outcome.problem } : {}),
      ...this.progress,
    });
    this.record(
      task,
      outcome.results,
      outcome.problem ?? 'the probe pod finished without a result for this target',
      stage,
    );
  }

  /** Records one observation per target of the task (error with `missing` when absent). */
  private record(
    task: PodTask,
    words: Map<string, ProbeWord> | undefined,
    missing: string,
    stage: 'probe' | 'reprobe',
  ): void {
    for (const [endpoint, ids] of task.targets) {
      const word = words?.get(endpoint);
      const observed: Observed = word ? OBSERVED[word] : 'error';
      for (const id of ids) {
        const r = this.results.get(id)!;
        r.attempts.push(observed);
        r.pod = `${task.source.namespace}/${task.name}`;
        if (stage === 'probe' || observed !== 'error') {
          r.observed = observed;
          if (observed === 'error') r.detail = missing;
          else delete r.detail;
        } else {
          this.note(id, `re-probe failed: ${missing}`);
        }
        this.progress.done++;
        this.emit({ type: 'result', result: { ...r, attempts: [...r.attempts] }, ...this.progress });
      }
    }
  }

  /** Targets never observed get an explanation. */
  private finishResults(runError: ClusterError | undefined): void {
    const lastSeen = new Map<string, string>();
    for (const task of this.allTasks)
      for (const ids of task.targets.values()) for (const id of ids) lastSeen.set(id, task.lastSeen ?? '');
    for (const r of this.results.values()) {
      if (r.attempts.length || r.detail) continue;
      const failed = this.failedNamespaces.get(r.namespace);
      const why = failed?.message ?? runError?.message ?? 'not probed';
      const seen = lastSeen.get(r.id);
      r.detail = `not probed: ${why}${seen && seen !== 'not created' ? ` (probe pod was ${seen})` : ''}`;
    }
  }
}
