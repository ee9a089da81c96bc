/** netreach's own requests: the reachability view, explanations, workspace facts. */
import {
  describeEndpoint,
  explain,
  explanationData,
  formatConnections,
  formatExplanation,
  isEmpty,
  offsetAt,
  parsePortText,
  positionAt,
  resolveEndpoint,
  targetAt,
  workloadReport,
  type Endpoint,
  type Span,
  type Workload,
} from '../engine';
import type {
  EndpointDto,
  ExplainParams,
  ExplainResult,
  LocationDto,
  ReachabilityParams,
  ReachabilityResult,
  WorkspaceFactsResult,
} from '../protocol';
import type { AnalysisModel } from './analysis';
import { locationOf } from './positions';

/** The largest matrix the view shows. */
const MATRIX_CAP = 60;

function endpointDto(result: AnalysisModel, endpoint: Endpoint): EndpointDto {
  if (endpoint.kind !== 'workload') return { name: describeEndpoint(endpoint), kind: 'external' };
  const object = endpoint.workload.objects[0];
  return {
    name: endpoint.workload.id,
    kind: 'workload',
    location: object ? locationOf(result.workspace, object.nameSpan) : undefined,
  };
}

const NOWHERE: LocationDto = { uri: '', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };

export function reachabilityRequest(result: AnalysisModel, params: ReachabilityParams): ReachabilityResult {
  const { workspace, index } = result;
  let workloads: Workload[] = [];
  let title = '';
  if (params.uri && params.position) {
    const file = workspace.files.get(params.uri)?.file;
    const target = file ? targetAt(workspace, params.uri, offsetAt(file, params.position)) : undefined;
    if (target?.kind === 'workload') return workloadView(result, target.workload);
    if (
      target &&
      (target.kind === 'policy' || target.kind === 'rule' || target.kind === 'peer' || target.kind === 'port')
    ) {
      const policy = target.kind === 'policy' ? target.policy : target.rule.policy;
      const selected = index.selectedWorkloads(policy);
      if (selected.length === 1) return workloadView(result, selected[0]);
      workloads = workspace.workloads.filter((w) => w.namespace === policy.namespace);
      title = `Namespace ${policy.namespace} (policy ${policy.id} selects ${selected.length})`;
    }
  }
  if (workloads.length === 0 && params.namespace) {
    workloads = workspace.workloads.filter((w) => w.namespace === params.namespace);
    title = `Namespace ${params.namespace}`;
  }
  if (workloads.length === 0 && params.uri) {
    const inFile = workspace.workloads.filter((w) => w.objects.some((o) => o.file.uri === params.uri));
    const namespaces = new Set([
      ...inFile.map((w) => w.namespace),
      ...workspace.policies.filter((p) => p.object.file.uri === params.uri).map((p) => p.namespace),
    ]);
    workloads = inFile.length ? inFile : workspace.workloads.filter((w) => namespaces.has(w.namespace));
    title = `${params.uri.slice(params.uri.lastIndexOf('/') + 1)}`;
  }
  if (workloads.length === 0) {
    const leftOut =
      params.uri && workspace.templates.has(params.uri)
        ? 'This file is a template ({{ }}, e.g. Helm): render it (`helm template`) and open the output to see its reachability.'
        : params.uri && workspace.patches.has(params.uri)
          ? 'This file is a kustomize patch: it changes objects defined elsewhere; open the base, or the output of `kustomize build`.'
          : undefined;
    return {
      kind: 'none',
      title: title || 'Reachability',
      message:
        leftOut ??
        'No workloads here: put the cursor on a NetworkPolicy or a workload, or open a file that defines some.',
    };
  }
  const shown = workloads.slice(0, MATRIX_CAP);
  const endpoints: Endpoint[] = shown.map((workload) => ({ kind: 'workload', workload }));
  const cells = endpoints.map((from) =>
    endpoints.map((to) => {
      if (from === to) return '';
      const ports = index.connection(from, to);
      return isEmpty(ports) ? '' : formatConnections(ports);
    }),
  );
  return {
    kind: 'matrix',
    title: workloads.length > MATRIX_CAP ? `${title} (first ${MATRIX_CAP} of ${workloads.length})` : title,
    endpoints: endpoints.map((e) => endpointDto(result, e)),
    cells,
  };
}

function workloadView(result: AnalysisModel, workload: Workload): ReachabilityResult {
  const report = workloadReport(result.index, workload);
  const policyRef = (p: { id: string; object: { nameSpan: Span } }) => ({
    name: p.id,
    location: locationOf(result.workspace, p.object.nameSpan) ?? NOWHERE,
  });
  return {
    kind: 'workload',
    title: workload.id,
    workload: endpointDto(result, { kind: 'workload', workload }),
    ingressPolicies: report.ingressPolicies.map(policyRef),
    egressPolicies: report.egressPolicies.map(policyRef),
    inbound: report.inbound.map((l) => ({
      peer: endpointDto(result, l.endpoint),
      connections: formatConnections(l.ports),
    })),
    outbound: report.outbound.map((l) => ({
      peer: endpointDto(result, l.endpoint),
      connections: formatConnections(l.ports),
    })),
    deniedFrom: report.deniedFrom,
    deniedTo: report.deniedTo,
  };
}

export function explainRequest(result: AnalysisModel, params: ExplainParams): ExplainResult | { error: string } {
  const { workspace, index } = result;
  const source = resolveEndpoint(workspace, params.from);
  if (!source.ok) return { error: `${params.from}: ${source.message}` };
  const destination = resolveEndpoint(workspace, params.to);
  if (!destination.ok) return { error: `${params.to}: ${destination.message}` };
  const port = params.port ? parsePortText(params.port) : undefined;
  if (params.port && !port) return { error: `${params.port}: expected PROTOCOL/PORT, e.g. TCP/80` };
  const explanation = explain(index, source.endpoint, destination.endpoint);
  const locate = (span: Span) => {
    const file = workspace.files.get(span.uri)?.file;
    return file
      ? `${span.uri.slice(span.uri.lastIndexOf('/') + 1)}:${positionAt(file, span.start).line + 1}`
      : span.uri;
  };
  const data = explanationData(explanation, locate, port);
  const side = (s: (typeof data)['egress']) => ({
    direction: s.direction,
    endpoint: s.endpoint,
    governed: s.governed,
    isolatingPolicies: s.isolatingPolicies.map((p) => ({
      name: p.policy,
      location: locationOf(workspace, p.span) ?? NOWHERE,
    })),
    rules: s.rules.map((r) => ({
      policy: r.policy,
      rule: r.rule,
      peer: r.peer,
      ports: r.ports,
      location: locationOf(workspace, r.span) ?? NOWHERE,
    })),
    allowed: s.allowed,
  });
  return {
    from: data.from,
    to: data.to,
    allowed: data.allowed,
    verdict: 'verdict' in data ? data.verdict : undefined,
    egress: side(data.egress),
    ingress: side(data.ingress),
    text: formatExplanation(explanation, locate, port),
  };
}

export function workspaceFacts(result: AnalysisModel): WorkspaceFactsResult {
  return {
    namespaces: [...result.workspace.namespaces.keys()].sort(),
    workloads: result.workspace.workloads.map((w) => ({
      name: w.name,
      namespace: w.namespace,
      labels: Object.fromEntries(w.labels),
      ports: w.ports.map((p) => `${p.protocol}/${p.port}${p.name ? ` (${p.name})` : ''}`),
    })),
  };
}
