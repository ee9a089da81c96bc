/**
 * What checks share: the workspace, its reachability index, and facts computed once
 * per analysis (Services by namespace, the cluster DNS pods).
 */
import type { Finding } from '../findings';
import { NAMESPACE_NAME_LABEL, type Labels } from '../labels';
import type { Policy, Rule, Service, Workload } from '../model';
import type { ReachabilityIndex } from '../reachability';
import type { NamespaceLabels } from '../semantics';
import type { Workspace } from '../workspace';

export interface CheckContext {
  readonly workspace: Workspace;
  readonly index: ReachabilityIndex;
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

export function createContext(workspace: Workspace, index: ReachabilityIndex, report: (finding: Finding) => void): CheckContext {
  const servicesByNamespace = new Map<string, Service[]>();
  for (const service of workspace.services) {
    const list = servicesByNamespace.get(service.namespace);
    if (list) list.push(service);
    else servicesByNamespace.set(service.namespace, [service]);
  }
  const found = workspace.workloads.filter(isDnsWorkload);
  const namespaceLabels = (ns: string): Labels =>
    workspace.namespaces.get(ns)?.labels ?? new Map([[NAMESPACE_NAME_LABEL, ns]]);
  return {
    workspace,
    index,
    namespaceLabels,
    dnsWorkloads: found.length > 0 ? found : [ASSUMED_DNS],
    dnsFound: found.length > 0,
    servicesIn: (namespace) => servicesByNamespace.get(namespace) ?? [],
    servicesOf: (workload) =>
      (servicesByNamespace.get(workload.namespace) ?? []).filter(
        (s) => s.selector !== undefined && s.selector.size > 0 && [...s.selector].every(([k, v]) => workload.labels.get(k) === v),
      ),
    report,
  };
}

function isDnsWorkload(workload: Workload): boolean {
  const app = workload.labels.get('k8s-app');
  return workload.namespace === 'kube-system' && (app === 'kube-dns' || app === 'coredns' || workload.name === 'coredns');
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
