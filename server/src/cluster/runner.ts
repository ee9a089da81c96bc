/**
 * The probe runner: runs short-lived probe pods that carry a source's identity, connects
 * from them to destination IP:port pairs, and reports what each connection did. It does not
 * decide what to probe or what should happen: the caller (the engine's planner, the CLI's
 * `netreach probe`, the VS Code command) gives it a plan and compares the observations with
 * its predictions. Design: docs/probing.md.
 *
 * API
 * ---
 *   const runner = await ProbeRunner.connect({ kubeconfig, context });  // no traffic yet
 *   runner.target            // { context, cluster, server, user, namespace?, source } — show it, get a "yes"
 *   runner.preview(plan, o)  // the exact pods and ConfigMaps a run would create; no traffic
 *   await runner.admissionCheck(plan, o)  // server-side dryRun=All creates: would admission accept them?
 *   await runner.preflight(plan)          // missing permissions (throws `forbidden`), adoption findings
 *   const report = await runner.run(plan, options)
 *   await runner.sweepStale()             // remove leftovers of earlier runs (run() does it for its namespaces)
 *
 * A plan is a list of sources; each is a namespace, the source's identity labels (the
 * values of the label keys policies select on; controller-managed keys are dropped), and
 * targets `{ id, proto: 'TCP'|'UDP'|'SCTP', ip, port }`. Target ids are the caller's and
 * must be unique in the plan; they come back on every result.
 *
 * `run()` resolves with a RunReport in every case but programming errors and exceptions
 * thrown by the caller's own callbacks (those are re-thrown after cleanup):
 *   - `results`: one per target id, in plan order, `observed` one of
 *     connected | timeout | refused | dns | other | error, with `detail` saying why for
 *     `error` (not probed: invalid target, unsafe source, namespace refused the pod, ran out
 *     of time, cancelled...), `attempts` (the first probe and the re-probe, if any), and
 *     the pod that probed it;
 *   - `error`: why the run stopped early (unreachable, 401, forbidden, timeout, cancelled);
 *   - `problems`: errors that stopped part of it (a namespace's Pod Security, quota or
 *     admission webhook refused the probe pod; the image cannot be pulled there);
 *   - `cleanup`: what was deleted, and leftovers (empty unless the API server went away),
 *     with a kubectl command to finish the job; `sweep`: stale objects removed first.
 * Options: concurrency (pods alive at once), maxPods (cap per run, re-probes included),
 * timeoutMs (whole run), connect/settle/pod deadline seconds, image, imagePullSecrets,
 * signal (AbortSignal: cancel), onProgress (events: stage, pod, result with done/total),
 * reprobe (called once with the first results; return the target ids to probe once more,
 * e.g. those where observed and predicted disagree).
 *
 * Safety (see probePod.ts): restricted Pod Security, no service account token, never
 * Ready (readiness gate), controller-owned by a per-run ConfigMap (never adopted),
 * activeDeadlineSeconds, and cleanup on every path.
 */

import { randomBytes } from 'node:crypto';
import { DEFAULT_RETRY, forEachLimited, withRetry, type RetryPolicy } from './async';
import { cleanupRun, sweepStale, type CleanupReport, type ObjectRef, type SweepReport } from './cleanup';
import { connect, type ClusterTarget, type ConnectOptions, type KubeClient } from './client';
import { ClusterError } from './errors';
import { PodFollower } from './follower';
import { describePending, isImageProblem, podOutcome, type PodOutcome } from './podOutcome';
import { preflight, type AdoptionFinding, type PreflightReport } from './preflight';
import {
  batchTargets,
  buildOwnerConfigMap,
  buildProbePod,
  formatTarget,
  invalidTarget,
  ownerConfigMapName,
  RUN_ID_LABEL,
  type Endpoint,
  type ProbeWord,
  type RunOwner,
} from './probePod';
import type { WireObject, WirePod } from './types';

export type Observed = 'connected' | 'timeout' | 'refused' | 'dns' | 'other' | 'error';

export interface ProbeTarget extends Endpoint {
  /** The caller's id, unique within the plan. */
  id: string;
}

export interface ProbeSource {
  id: string;
  namespace: string;
  /** Identity labels the probe pod copies (controller-managed keys are dropped). */
  labels: Record<string, string>;
  targets: ProbeTarget[];
}

export interface RunPlan {
  sources: ProbeSource[];
}

export interface ProbeResult {
  id: string;
  sourceId: string;
  namespace: string;
  target: Endpoint;
  /** The final observation: the re-probe's, unless the re-probe itself failed to run. */
  observed: Observed;
  /** Why `observed` is `error`, or a note (e.g. a failed re-probe). */
  detail?: string;
  /** Every observation, first probe first. */
  attempts: Observed[];
  /** The probe pod (namespace/name) of the last attempt. */
  pod?: string;
}

export type RunStage = 'sweep' | 'preflight' | 'probe' | 'reprobe' | 'cleanup' | 'done';

export type RunProgress = { done: number; total: number } & (
  | { type: 'stage'; stage: RunStage; message: string }
  | {
      type: 'pod';
      namespace: string;
      name: string;
      state: 'created' | 'running' | 'finished' | 'failed';
      detail?: string;
    }
  | { type: 'result'; result: ProbeResult }
);

export interface RunOptions {
  /** Default: random. Labels every object of the run (`netreach.io/run-id`). */
  runId?: string;
  image?: string;
  imagePullSecrets?: string[];
  /** Probe pods alive at the same time (default 5). */
  concurrency?: number;
  /** Cap on probe pods per run, re-probes included (default 50). */
  maxPods?: number;
  /** Targets per pod (default 50; fewer when the 4 KiB result message would overflow). */
  maxTargetsPerPod?: number;
  /** Deadline of the whole run, cleanup excluded (default 180 s). */
  timeoutMs?: number;
  /** Per connection attempt (default 3 s). */
  connectTimeoutSeconds?: number;
  /** Wait in the pod before connecting, so the network plugin knows the new pod IP (default 3 s). */
  settleSeconds?: number;
  /** The pods' activeDeadlineSeconds: they stop by themselves even if we die (default 120). */
  podDeadlineSeconds?: number;
  /** SCTP is off by default: probing it can load the sctp kernel module on nodes. */
  allowSctp?: boolean;
  /** Check permissions and adoption before creating anything (default true). */
  preflight?: boolean;
  /** Remove stale leftovers of earlier runs in the source namespaces first (default true). */
  sweep?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: RunProgress) => void;
  /** Called once after the first pass; returns the target ids to probe once more. */
  reprobe?: (results: readonly ProbeResult[]) => readonly string[] | Promise<readonly string[]>;
  /** Below client-node's 30 s idle limit (default 25). */
  watchTimeoutSeconds?: number;
  /** Interval of the polling fallback when watches keep failing (default 2 s). */
  pollIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Budget for cleanup after the run (default 30 s). */
  cleanupTimeoutMs?: number;
  /** Clock (ms since epoch), for the stale sweep. */
  now?: () => number;
}

export interface RunReport {
  runId: string;
  target: ClusterTarget;
  results: ProbeResult[];
  error?: ClusterError;
  problems: ClusterError[];
  cancelled: boolean;
  preflight?: PreflightReport;
  sweep?: SweepReport;
  cleanup: CleanupReport;
  podsCreated: number;
}

export interface ProbePreview {
  runId: string;
  configMaps: WireObject[];
  pods: WirePod[];
  /** Targets that would not be probed, with the reason. */
  skipped: { id: string; reason: string }[];
}

type Resolved = Required<
  Omit<RunOptions, 'signal' | 'onProgress' | 'reprobe' | 'runId' | 'image' | 'imagePullSecrets' | 'retry'>
> &
  Pick<RunOptions, 'signal' | 'onProgress' | 'reprobe' | 'image' | 'imagePullSecrets'> & { retry: RetryPolicy };

function resolve(options: RunOptions): Resolved {
  const connectTimeoutSeconds = options.connectTimeoutSeconds ?? 3;
  const settleSeconds = options.settleSeconds ?? 3;
  return {
    concurrency: Math.max(1, options.concurrency ?? 5),
    maxPods: options.maxPods ?? 50,
    maxTargetsPerPod: Math.max(1, options.maxTargetsPerPod ?? 50),
    timeoutMs: options.timeoutMs ?? 180_000,
    connectTimeoutSeconds,
    settleSeconds,
    // Never shorter than the pod's own work plus time to pull and start.
    podDeadlineSeconds: Math.max(options.podDeadlineSeconds ?? 120, settleSeconds + connectTimeoutSeconds + 30),
    allowSctp: options.allowSctp ?? false,
    preflight: options.preflight ?? true,
    sweep: options.sweep ?? true,
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? 25,
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    cleanupTimeoutMs: options.cleanupTimeoutMs ?? 30_000,
    now: options.now ?? Date.now,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    signal: options.signal,
    onProgress: options.onProgress,
    reprobe: options.reprobe,
    image: options.image,
    imagePullSecrets: options.imagePullSecrets,
  };
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

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

/** One probe pod's work: a source and a batch of its targets. */
interface PodTask {
  name: string;
  source: ProbeSource;
  /** Formatted target -> the ids probed by it (the same endpoint may appear under several ids). */
  targets: Map<string, string[]>;
  /** Where the pod was when last seen, for "ran out of time" details. */
  lastSeen?: string;
}

/** Groups a plan's probeable targets into pod tasks; reports the rest as skipped. */
function planTasks(
  plan: RunPlan,
  o: Resolved,
  namePrefix: string,
  include: (target: ProbeTarget) => boolean,
): { tasks: PodTask[]; skipped: { id: string; reason: string }[] } {
  const tasks: PodTask[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const source of plan.sources) {
    const byEndpoint = new Map<string, string[]>();
    for (const target of source.targets) {
      if (!include(target)) continue;
      const invalid = invalidTarget(target);
      if (invalid) {
        skipped.push({ id: target.id, reason: `not probed: ${invalid}` });
      } else if (target.proto === 'SCTP' && !o.allowSctp) {
        skipped.push({
          id: target.id,
          reason:
            'not probed: SCTP probing is off by default (it can load the sctp kernel module on nodes); enable it explicitly',
        });
      } else {
        const key = formatTarget(target);
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), target.id]);
      }
    }
    for (const batch of batchTargets([...byEndpoint.keys()], o.maxTargetsPerPod)) {
      tasks.push({
        name: `${namePrefix}${tasks.length}`,
        source,
        targets: new Map(batch.map((t) => [t, byEndpoint.get(t)!])),
      });
    }
  }
  return { tasks, skipped };
}

function validatePlan(plan: RunPlan): void {
  const ids = new Set<string>();
  for (const source of plan.sources) {
    for (const target of source.targets) {
      if (ids.has(target.id)) throw new TypeError(`probe plan: target id "${target.id}" is used twice`);
      ids.add(target.id);
    }
  }
}

export class ProbeRunner {
  constructor(
    readonly client: KubeClient,
    private readonly defaults: RunOptions = {},
  ) {}

  /** Loads the kubeconfig (no request yet): show `target` to the user before running. */
  static async connect(options: ConnectOptions = {}, defaults: RunOptions = {}): Promise<ProbeRunner> {
    return new ProbeRunner(await connect(options), defaults);
  }

  get target(): ClusterTarget {
    return this.client.target;
  }

  /** The objects a run would create, without touching the cluster. */
  preview(plan: RunPlan, options: RunOptions = {}): ProbePreview {
    validatePlan(plan);
    const o = resolve({ ...this.defaults, ...options });
    const runId = options.runId ?? this.defaults.runId ?? newRunId();
    const { tasks, skipped } = planTasks(plan, o, `netreach-${runId}-`, () => true);
    const owner: RunOwner = { name: ownerConfigMapName(runId), uid: '<uid of the run ConfigMap>' };
    const namespaces = [...new Set(tasks.map((t) => t.source.namespace))];
    const expires = new Date(o.now() + o.timeoutMs + o.podDeadlineSeconds * 1000);
    return {
      runId,
      configMaps: namespaces.map((ns) => buildOwnerConfigMap(runId, ns, expires)),
      pods: tasks.map((t) => this.manifest(t, runId, owner, o)),
      skipped,
    };
  }

  /**
   * Server-side dry run (`dryRun=All`) of every object a run would create: admission
   * (Pod Security, quota, webhooks) answers without anything being stored.
   */
  async admissionCheck(
    plan: RunPlan,
    options: RunOptions = {},
  ): Promise<{ namespace: string; name: string; kind: string; error?: ClusterError }[]> {
    const preview = this.preview(plan, options);
    const out: { namespace: string; name: string; kind: string; error?: ClusterError }[] = [];
    for (const object of [...preview.configMaps, ...preview.pods]) {
      const namespace = object.metadata?.namespace ?? '';
      const kind = object.kind === 'Pod' ? 'Pod' : 'ConfigMap';
      const body = kind === 'Pod' ? this.withDryRunOwner(object) : object;
      try {
        await this.client.create(kind, namespace, body, { dryRun: true, signal: options.signal });
        out.push({ namespace, name: object.metadata?.name ?? '', kind });
      } catch (error) {
        out.push({ namespace, name: object.metadata?.name ?? '', kind, error: error as ClusterError });
      }
    }
    return out;
  }

  /** Permission check (throws `forbidden` naming every missing permission) and adoption findings. */
  preflight(plan: RunPlan, options: { signal?: AbortSignal } = {}): Promise<PreflightReport> {
    return preflight(
      this.client,
      plan.sources.map((s) => ({ id: s.id, namespace: s.namespace, labels: s.labels })),
      options,
    );
  }

  /** Deletes netreach pods and ConfigMaps older than their deadline (default: all namespaces). */
  sweepStale(
    options: { namespaces?: string[]; signal?: AbortSignal; now?: () => number; retry?: Partial<RetryPolicy> } = {},
  ): Promise<SweepReport> {
    return sweepStale(this.client, {
      namespaces: options.namespaces,
      retry: { ...DEFAULT_RETRY, ...this.defaults.retry, ...options.retry },
      signal: options.signal ?? AbortSignal.timeout(30_000),
      now: (options.now ?? this.defaults.now ?? Date.now)(),
      fallbackStaleSeconds: 3600,
    });
  }

  async run(plan: RunPlan, options: RunOptions = {}): Promise<RunReport> {
    validatePlan(plan);
    return new Run(
      this,
      plan,
      resolve({ ...this.defaults, ...options }),
      options.runId ?? this.defaults.runId ?? newRunId(),
    ).execute();
  }

  /** @internal */
  manifest(task: PodTask, runId: string, owner: RunOwner, o: Resolved): WirePod {
    return buildProbePod({
      name: task.name,
      namespace: task.source.namespace,
      runId,
      identity: task.source.labels,
      targets: [...task.targets.keys()],
      owner,
      image: o.image,
      imagePullSecrets: o.imagePullSecrets,
      connectTimeoutSeconds: o.connectTimeoutSeconds,
      settleSeconds: o.settleSeconds,
      activeDeadlineSeconds: o.podDeadlineSeconds,
    });
  }

  /** A dry-run pod cannot name a real owner uid; any well-formed uid passes validation. */
  private withDryRunOwner(pod: WireObject): WireObject {
    const refs = pod.metadata?.ownerReferences?.map((r) => ({ ...r, uid: '00000000-0000-0000-0000-000000000000' }));
    return { ...pod, metadata: { ...pod.metadata, ownerReferences: refs } };
  }
}

/** Why waits stopped: the root cause, kept on the internal signal's reason. */
class Stop extends Error {
  constructor(readonly error: ClusterError) {
    super(error.message);
  }
}

/** One execution of run(): its state, its passes, its cleanup. */
class Run {
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
