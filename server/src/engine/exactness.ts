/**
 * Conditions under which a reachability answer cannot be exact: the API server would
 * refuse a policy, two definitions compete, a named port must resolve on an IP address,
 * or the pods of one owner differ in labels that a selector looks at. `connlist` and
 * `explain` stop on these rather than print a guess; the editor shows them as findings
 * and answers hovers on a best-effort basis.
 */
import type { Span } from './findings';
import { selectorMatches, type Selector } from './labels';
import type { Policy, Workload } from './model';
import type { Workspace } from './workspace';

export interface Blocker {
  readonly message: string;
  readonly span: Span;
}

/** Codes whose findings block exact answers when marked `rejectedByApi`. */
const TOLERATED = new Set([
  // A value of the wrong type: the object is left out, as the API server would refuse it.
  'NR014',
  // The old API group: the meaning of the policy is still clear.
  'NR012',
]);

export function exactnessBlockers(workspace: Workspace): Blocker[] {
  const blockers: Blocker[] = [];
  for (const finding of workspace.findings) {
    if (finding.rejectedByApi && !TOLERATED.has(finding.code)) {
      blockers.push({ message: `${finding.code}: ${finding.message}`, span: finding.span });
    }
    const kind = finding.data?.kind;
    if (finding.code === 'NR013' && (kind === 'NetworkPolicy' || kind === 'Namespace')) {
      blockers.push({ message: `${finding.code}: ${finding.message}`, span: finding.span });
    }
  }
  for (const policy of workspace.policies) {
    for (const rule of policy.egress) {
      const hasIpPeer = rule.peers.some((p) => p.ipBlock);
      const named = rule.ports.find((p) => typeof p.port === 'string');
      if (hasIpPeer && named) {
        blockers.push({
          message: `NR044: policy ${policy.id} egress rule ${rule.index + 1} names the port "${named.port}" toward an ipBlock: a name cannot be resolved for an IP destination.`,
          span: named.portSpan ?? named.span,
        });
      }
    }
  }
  blockers.push(...ambiguousOwners(workspace));
  return blockers;
}

/** Pods of one owner whose differing labels make some selector match only part of them. */
function ambiguousOwners(workspace: Workspace): Blocker[] {
  const blockers: Blocker[] = [];
  const mixed = workspace.workloads.filter((w) => w.podLabelSets.length > 1);
  if (mixed.length === 0) return blockers;
  for (const workload of mixed) {
    for (const { policy, selector } of selectorsApplyingTo(workspace, workload)) {
      const results = new Set(workload.podLabelSets.map((labels) => selectorMatches(selector, labels)));
      if (results.size > 1) {
        blockers.push({
          message: `The pods of ${workload.id} carry different labels, and a selector of policy ${policy.id} matches only some of them, so the workload has no single answer.`,
          span: workload.labelsSpan,
        });
        break;
      }
    }
  }
  return blockers;
}

function* selectorsApplyingTo(
  workspace: Workspace,
  workload: Workload,
): Generator<{ policy: Policy; selector: Selector }> {
  const namespaceLabels = workspace.namespaces.get(workload.namespace)?.labels ?? new Map<string, string>();
  for (const policy of workspace.policies) {
    if (policy.namespace === workload.namespace && policy.podSelector) {
      yield { policy, selector: policy.podSelector.selector };
    }
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const peer of rule.peers) {
        if (!peer.podSelector) continue;
        const inScope = peer.namespaceSelector
          ? selectorMatches(peer.namespaceSelector.selector, namespaceLabels)
          : policy.namespace === workload.namespace;
        if (inScope) yield { policy, selector: peer.podSelector.selector };
      }
    }
  }
}
