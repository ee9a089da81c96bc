/**
 * One probe session, shared by `netreach probe` and the VS Code command: connect through
 * the kubeconfig, read the cluster, model it with the engine, compare the files' policies
 * with the cluster's, plan (prepareProbe; nothing is created), then, once the user has
 * confirmed, run the plan and judge every observation (runProbe).
 */
import {
  buildWorkspace,
  ReachabilityIndex,
  resolveEndpoint,
  type AnalysisOptions,
  type Policy,
  type SourceFile,
  type Workload,
  type Workspace,
} from '../engine';
import { DEFAULT_RETRY, withRetry } from '../cluster/async';
import type { ClusterObjects, ClusterTarget, ConnectOptions } from '../cluster/client';
import type { Kind } from '../cluster/types';
import { ProbeRunner, type RunOptions, type RunReport } from '../cluster/runner';
import { clusterSourceFiles } from './clusterSources';
import { comparePolicies, type PolicyDifference } from './policyDiff';
import { planProbes, type PlanScope, type PortChoice, type ProbePlan, type PlannedCheck } from './planner';
import { disagreements, rowFor, type ProbeRowData, type Verdict } from './verdict';

/** A request the planner cannot serve: an unknown workload, nothing in scope... (exit code 2 in the CLI). */
export class ProbeScopeError extends Error {}

export type ScopeRequest =
  /** The files' policies (or, without policies, the namespaces of their workloads). */
  | { readonly kind: 'files' }
  /** One policy of the files, by `namespace/name` (its effective namespace). */
  | { readonly kind: 'policy'; readonly id: string }
  /** A workload of the cluster: `ns/name[Kind]`, `ns/name` or a unique name. */
  | { readonly kind: 'workload'; readonly name: string }
  | { readonly kind: 'pair'; readonly from?: string; readonly to?: string }
  | { readonly kind: 'namespaces'; readonly namespaces: readonly string[]; readonly title?: string }
  | { readonly kind: 'cluster' };

export interface PrepareOptions extends Pick<
  ConnectOptions,
  'kubeconfig' | 'context' | 'env' | 'homeDir' | 'requestTimeoutMs'
> {
  /** Manifests of the files in scope (paths on the command line, the editor's file). */
  readonly files?: readonly SourceFile[];
  readonly scope: ScopeRequest;
  readonly maxPods?: number;
  readonly maxTargets?: number;
  readonly ports?: readonly PortChoice[];
  readonly analysis?: Partial<AnalysisOptions>;
  readonly signal?: AbortSignal;
  /** Defaults of every run of this session's runner (image, timeouts...). */
  readonly runDefaults?: RunOptions;
}

export interface PreparedProbe {
  readonly runner: ProbeRunner;
  readonly target: ClusterTarget;
  readonly objects: ClusterObjects;
  readonly cluster: { readonly workspace: Workspace; readonly index: ReachabilityIndex };
  /** The files, when some were given. */
  readonly files?: Workspace;
  /**
   * The files' policies with their effective ids (`namespace/name`, the context namespace
   * when absent): `policy` as it would land in the cluster, `original` as written (its spans
   * are the file's).
   */
  readonly filePolicies: readonly FilePolicy[];
  readonly differences: readonly PolicyDifference[];
  readonly plan: ProbePlan;
}

export type ProbeRow = ReturnType<typeof rowFor>;

export interface ProbeOutcome {
  readonly rows: readonly ProbeRow[];
  readonly report: RunReport;
  readonly counts: Readonly<Record<Verdict, number>>;
}

export interface FilePolicy {
  readonly id: string;
  readonly policy: Policy;
  readonly original: Policy;
}

const READ_KINDS: readonly Kind[] = ['Namespace', 'Pod', 'Service', 'NetworkPolicy'];

/** Reads what the engine needs, retrying transient failures (dropped connections, 5xx) of each list. */
export async function readCluster(runner: ProbeRunner, signal?: AbortSignal): Promise<ClusterObjects> {
  const [namespaces, pods, services, networkPolicies] = await Promise.all(
    READ_KINDS.map((kind) =>
      withRetry(() => runner.client.list(kind, { signal }), DEFAULT_RETRY, signal).then((list) => list.items),
    ),
  );
  return { namespaces, pods, services, networkPolicies };
}

/**
 * The files' policies in the namespace they would land in: a policy without
 * `metadata.namespace` goes to the context's namespace (kubectl's behaviour), so it is read
 * again with that namespace written in.
 */
function effectivePolicies(files: Workspace | undefined, contextNamespace: string): FilePolicy[] {
  if (!files) return [];
  return files.policies.map((policy) => {
    if (policy.namespaceExplicit || contextNamespace === policy.namespace)
      return { id: policy.id, policy, original: policy };
    const json = policy.object.map.toJSON() as { metadata?: Record<string, unknown> };
    const text = JSON.stringify({ ...json, metadata: { ...json.metadata, namespace: contextNamespace } }, null, 2);
    const reread = buildWorkspace([{ uri: policy.object.file.uri, text }]).policies[0] ?? policy;
    return { id: reread.id, policy: reread, original: policy };
  });
}

function resolveWorkload(workspace: Workspace, text: string, what: string): Workload {
  const resolution = resolveEndpoint(workspace, text);
  if (!resolution.ok) {
    throw new ProbeScopeError(`${what} ${text}: ${resolution.message.replace('in the manifests', 'in the cluster')}`);
  }
  if (resolution.endpoint.kind !== 'workload') {
    throw new ProbeScopeError(`${what} ${text}: name a workload (ns/name[Kind]); probes run between pods`);
  }
  return resolution.endpoint.workload;
}

/** Connects, reads the cluster and plans. Creates nothing; throws ClusterError or ProbeScopeError. */
export async function prepareProbe(options: PrepareOptions): Promise<PreparedProbe> {
  const runner = await ProbeRunner.connect(
    {
      kubeconfig: options.kubeconfig,
      context: options.context,
      env: options.env,
      homeDir: options.homeDir,
      requestTimeoutMs: options.requestTimeoutMs,
    },
    options.runDefaults,
  );
  const objects = await readCluster(runner, options.signal);
  return planFromObjects(runner, objects, options);
}

/** The planning half of prepareProbe, for callers that already read the cluster. */
export function planFromObjects(runner: ProbeRunner, objects: ClusterObjects, options: PrepareOptions): PreparedProbe {
  const target = runner.target;
  const workspace = buildWorkspace(clusterSourceFiles(objects));
  const index = new ReachabilityIndex(workspace, options.analysis);
  const files = options.files?.length ? buildWorkspace(options.files) : undefined;
  const contextNamespace = target.namespace ?? 'default';
  const filePolicies = effectivePolicies(files, contextNamespace);
  const effectiveNamespace = new Map(filePolicies.map((p) => [p.policy, p.policy.namespace]));
  const differences = comparePolicies(
    filePolicies.map((p) => p.policy),
    objects.networkPolicies,
    (p) => effectiveNamespace.get(p) ?? p.namespace,
  );

  // The files' intent: the cluster with the files' policies in place of the cluster's.
  const changed = differences.some((d) => d.kind !== 'extra-in-cluster');
  let scopeIndex = index;
  if (changed) {
    const replaced = new Set(filePolicies.map((p) => p.id));
    const scopeWorkspace: Workspace = {
      ...workspace,
      policies: [...workspace.policies.filter((p) => !replaced.has(p.id)), ...filePolicies.map((p) => p.policy)],
    };
    scopeIndex = new ReachabilityIndex(scopeWorkspace, options.analysis);
  }
  const policyInScope = (id: string): Policy | undefined => scopeIndex.workspace.policies.find((p) => p.id === id);

  let scope: PlanScope;
  const request = options.scope;
  switch (request.kind) {
    case 'files': {
      const policies = filePolicies.map((p) => policyInScope(p.id)).filter((p): p is Policy => p !== undefined);
      if (policies.length) {
        scope = { kind: 'policies', policies };
      } else {
        const namespaces = [...new Set(files?.workloads.map((w) => w.namespace) ?? [])].sort();
        if (namespaces.length === 0) {
          throw new ProbeScopeError(
            'the given files hold no NetworkPolicy and no workload; name the connection with --from/--to, or give no paths to probe the whole cluster',
          );
        }
        scope = { kind: 'namespaces', namespaces };
      }
      break;
    }
    case 'policy': {
      // The id as written in the file, or as it lands (a policy without a namespace goes to the context's).
      const written = filePolicies.find((p) => p.original.id === request.id || p.id === request.id);
      const policy = policyInScope(written?.id ?? request.id);
      if (!policy) throw new ProbeScopeError(`NetworkPolicy ${request.id} is neither in the files nor in the cluster`);
      scope = { kind: 'policies', policies: [policy] };
      break;
    }
    case 'workload':
      scope = { kind: 'workload', workload: resolveWorkload(workspace, request.name, 'workload') };
      break;
    case 'pair':
      scope = {
        kind: 'pair',
        from: request.from === undefined ? undefined : resolveWorkload(workspace, request.from, '--from'),
        to: request.to === undefined ? undefined : resolveWorkload(workspace, request.to, '--to'),
      };
      break;
    case 'namespaces':
      scope = { kind: 'namespaces', namespaces: request.namespaces, title: request.title };
      break;
    case 'cluster':
      scope = { kind: 'cluster' };
      break;
  }
  const plan = planProbes({
    index,
    scopeIndex,
    scope,
    options: { maxPods: options.maxPods, maxTargets: options.maxTargets, ports: options.ports },
  });
  return { runner, target, objects, cluster: { workspace, index }, files, filePolicies, differences, plan };
}

/** Runs the plan (after the user confirmed), re-probing disagreements once, and judges each connection. */
export async function runProbe(prepared: PreparedProbe, options: RunOptions = {}): Promise<ProbeOutcome> {
  const checks = new Map<string, PlannedCheck>(prepared.plan.checks.map((c) => [c.id, c]));
  const report = await prepared.runner.run(prepared.plan.run, {
    ...options,
    reprobe: (first) => disagreements(checks, first),
  });
  const results = new Map(report.results.map((r) => [r.id, r]));
  const rows = prepared.plan.checks.map((check) => rowFor(check, results.get(check.id)));
  return { rows, report, counts: countVerdicts(rows) };
}

export function countVerdicts(rows: readonly Pick<ProbeRowData, 'verdict'>[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { match: 0, mismatch: 0, inconclusive: 0 };
  for (const row of rows) counts[row.verdict]++;
  return counts;
}
