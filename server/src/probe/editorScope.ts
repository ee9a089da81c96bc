/**
 * What "Test Reachability in Cluster" probes, from where it was invoked: the policy or
 * workload under the cursor; a namespace matrix for a Namespace (or Service) under the
 * cursor, for a file picked in the explorer, or for a cursor on nothing in particular.
 */
import { buildWorkspace, targetAt, type SourceFile } from '../engine';
import { ProbeScopeError, type ScopeRequest } from './session';

export function editorScope(file: SourceFile, offset: number | undefined): ScopeRequest {
  const workspace = buildWorkspace([file]);
  const target = offset === undefined ? undefined : targetAt(workspace, file.uri, offset);
  if (target) {
    switch (target.kind) {
      case 'policy':
        return { kind: 'policy', id: target.policy.id };
      case 'rule':
      case 'peer':
      case 'port':
        return { kind: 'policy', id: target.rule.policy.id };
      case 'workload':
        return { kind: 'workload', name: target.workload.id };
      case 'namespace':
        return { kind: 'namespaces', namespaces: [target.namespace.name] };
      case 'service':
        return { kind: 'namespaces', namespaces: [target.service.namespace] };
    }
  }
  const namespaces = [
    ...new Set([
      ...workspace.policies.map((p) => p.namespace),
      ...workspace.workloads.map((w) => w.namespace),
      ...workspace.services.map((s) => s.namespace),
      ...[...workspace.namespaces.values()].filter((n) => n.object).map((n) => n.name),
    ]),
  ].sort();
  if (namespaces.length === 0) {
    throw new ProbeScopeError('this file holds no NetworkPolicy, workload, Service or Namespace to probe');
  }
  const name = file.uri.slice(file.uri.lastIndexOf('/') + 1);
  return {
    kind: 'namespaces',
    namespaces,
    title: `${name} (namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')})`,
  };
}
