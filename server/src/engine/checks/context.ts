/**
 * What checks share: the workspace, its reachability index, and facts computed once
 * per analysis (Services by namespace, the cluster DNS pods).
 */
import type { Finding, Span } from '../findings';
import { NAMESPACE_NAME_LABEL, type Labels } from '../labels';
import type { Direction, Policy, Rule, Service, Workload } from '../model';
import type { ReachabilityIndex } from '../reachability';
import type { NamespaceLabels } from '../semantics';
import type { Workspace } from '../workspace';

export interface CheckContext {
  readonly workspace: Workspace;
  readonly index: ReachabilityIndex;
  /**
   * The policies to check: every policy, or only those of the files whose findings are
   * wanted. A check reports a policy's findings in the policy's own file, so it iterates
   * these and still judges them against all of `workspace`.
   */
  readonly policies: readonly Policy[];
  /** Likewise the workloads to check (those with an object in a wanted file). */
  readonly workloads: readonly Workload[];
  /** Whether findings in this file are wanted (a check may skip work for other files). */
  wanted(uri: string): boolean;
  readonly namespaceLabels: NamespaceLabels;
  /** The cluster DNS pods: found in the workspace, or the usual CoreDNS pods assumed when absent. */
  readonly dnsWorkloads: readonly Workload[];
  /** True when `dnsWorkloads` come from the workspace rather than being assumed. */
  readonly dnsFound: boolean;
  servicesIn(namespace: string): readonly Service[];
  /** Services whose selector matches the workload's pods. */
  servicesOf(workload: Workload): readonly Service[];
  report(finding: Finding): void;
}

export interface Check {
  /** The codes this check can report. */
  readonly codes: readonly string[];
  run(context: CheckContext): void;
}

/** The usual cluster DNS pods, assumed when the workspace does not describe them. */
export const ASSUMED_DNS: Workload = {
  id: 'kube-system/coredns[Deployment]',
  kind: 'Deployment',
  name: 'coredns',
  namespace: 'kube-system',
  labels: new Map([['k8s-app', 'kube-dns']]),
  ports: [
    { name: 'dns', port: 53, protocol: 'UDP', container: 'coredns', span: { uri: '', start: 0, end: 0 } },
    { name: 'dns-tcp', port: 53, protocol: 'TCP', container: 'coredns', span: { uri: '', start: 0, end: 0 } },
  ],
  hostNetwork: false,
  addresses: [],
  objects: [],
  labelsSpan: { uri: '', start: 0, end: 0 },
  podLabelSets: [new Map([['k8s-app', 'kube-dns']])],
};

/** `wanted`: the files whose findings are wanted; all when absent. */
export function createContext(
  workspace: Workspace,
  index: ReachabilityIndex,
  report: (finding: Finding) => void,
  wanted?: ReadonlySet<string>,
): CheckContext {
  const { servicesByNamespace, found } = sharedOf(workspace);
  const namespaceLabels = (ns: string): Labels =>
    workspace.namespaces.get(ns)?.labels ?? new Map([[NAMESPACE_NAME_LABEL, ns]]);
  const isWanted = wanted ? (uri: string) => wanted.has(uri) : () => true;
  return {
    workspace,
    index,
    policies: wanted ? workspace.policies.filter((p) => wanted.has(p.object.file.uri)) : workspace.policies,
    workloads: wanted
      ? workspace.workloads.filter((w) => wanted.has(w.labelsSpan.uri) || w.objects.some((o) => wanted.has(o.file.uri)))
      : workspace.workloads,
    wanted: isWanted,
    namespaceLabels,
    dnsWorkloads: found.length > 0 ? found : [ASSUMED_DNS],
    dnsFound: found.length > 0,
    servicesIn: (namespace) => servicesByNamespace.get(namespace) ?? [],
    servicesOf: (workload) => {
      const inNamespace = servicesByNamespace.get(workload.namespace) ?? NO_SERVICES;
      let byWorkload = servicesOfWorkload.get(inNamespace);
      if (!byWorkload) servicesOfWorkload.set(inNamespace, (byWorkload = new WeakMap()));
      let services = byWorkload.get(workload);
      if (!services) {
        services = inNamespace.filter(
          (s) =>
            s.selector !== undefined &&
            s.selector.size > 0 &&
            [...s.selector].every(([k, v]) => workload.labels.get(k) === v),
        );
        byWorkload.set(workload, services);
      }
      return services;
    },
    report,
  };
}

interface Shared {
  readonly servicesByNamespace: ReadonlyMap<string, readonly Service[]>;
  /** The DNS workloads found in the workspace. */
  readonly found: readonly Workload[];
}

const NO_SERVICES: readonly Service[] = [];

/** What every context of one workspace shares (the editor lints the edited file alone first, then everything). */
const shared = new WeakMap<Workspace, Shared>();

/**
 * The Services of a namespace, kept by their first Service: after an edit elsewhere, a
 * namespace's list is the same array as before (the Services of unchanged files are the
 * same objects), so the Services of each workload, found by filtering it, are kept too.
 */
const namespaceServices = new WeakMap<Service, readonly Service[]>();

/** The Services of each workload, per namespace list of Services. */
const servicesOfWorkload = new WeakMap<readonly Service[], WeakMap<Workload, readonly Service[]>>();

function sharedOf(workspace: Workspace): Shared {
  let result = shared.get(workspace);
  if (!result) {
    const lists = new Map<string, Service[]>();
    for (const service of workspace.services) {
      const list = lists.get(service.namespace);
      if (list) list.push(service);
      else lists.set(service.namespace, [service]);
    }
    const servicesByNamespace = new Map<string, readonly Service[]>();
    for (const [namespace, list] of lists) {
      const known = namespaceServices.get(list[0]);
      const same = known && known.length === list.length && known.every((s, i) => s === list[i]);
      if (same) servicesByNamespace.set(namespace, known);
      else {
        namespaceServices.set(list[0], list);
        servicesByNamespace.set(namespace, list);
      }
    }
    result = { servicesByNamespace, found: workspace.workloads.filter(isDnsWorkload) };
    shared.set(workspace, result);
  }
  return result;
}

function isDnsWorkload(workload: Workload): boolean {
  if (workload.namespace !== 'kube-system') return false;
  const app = workload.labels.get('k8s-app');
  return app === 'kube-dns' || app === 'coredns' || workload.name === 'coredns';
}

/** Every rule of every policy, with its policy. */
export function* allRules(workspace: Workspace): Generator<Rule> {
  for (const policy of workspace.policies) {
    yield* policy.ingress;
    yield* policy.egress;
  }
}

export function policyLabel(policy: Policy): string {
  return `${policy.namespace}/${policy.name}`;
}

export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** Runs `body`, dropping what it would report if it throws: a check never throws. */
export function safely(body: () => void): void {
  try {
    body();
  } catch {
    // A half-typed document may break an assumption; its other findings still stand.
  }
}

/** The first `key.length` characters of a span that starts at a key: the key alone. */
export function keyOnly(span: Span, key: string): Span {
  return { ...span, end: Math.min(span.end, span.start + key.length) };
}

/** A rule with no peers and no ports: it allows everything in its direction. */
export function isAllowAll(rule: Rule): boolean {
  return rule.anyPeer && rule.anyPort;
}

/** The key of a rule's peer list. */
export function peersKey(direction: Direction): 'from' | 'to' {
  return direction === 'ingress' ? 'from' : 'to';
}
