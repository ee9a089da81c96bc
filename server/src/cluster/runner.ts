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
import { DEFAULT_RETRY, type RetryPolicy } from './async';
import { sweepStale, type CleanupReport, type SweepReport } from './cleanup';
import { connect, type ClusterTarget, type ConnectOptions, type KubeClient } from './client';
import type { ClusterError } from './errors';
import { Run } from './execution';
import { planTasks, validatePlan, type PodTask } from './plan';
import { preflight, type PreflightReport } from './preflight';
import { buildOwnerConfigMap, buildProbePod, ownerConfigMapName, type Endpoint, type RunOwner } from './probePod';
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

export type Resolved = Required<
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
