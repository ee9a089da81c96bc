/**
 * NR032: an ingress peer of every namespace (`namespaceSelector: {}`) or of every address
 * (a /0 ipBlock) opens the selected workloads to the whole cluster or the internet.
 */
import type { Span } from '../findings';
import type { Peer, Rule } from '../model';
import { safely, type Check } from './context';
import { listNames, trimmingSpans } from './workspaceFacts';

function isAllAddresses(peer: Peer): boolean {
  return (
    peer.ipBlock?.cidr !== undefined && peer.ipBlock.cidr.prefix === 0 && !peer.podSelector && !peer.namespaceSelector
  );
}

function isWholeCluster(peer: Peer): boolean {
  const ns = peer.namespaceSelector;
  const pod = peer.podSelector;
  return (
    !peer.ipBlock &&
    ns !== undefined &&
    !ns.invalid &&
    ns.selector.requirements.length === 0 &&
    (pod === undefined || (!pod.invalid && pod.selector.requirements.length === 0))
  );
}

function describeRulePorts(rule: Rule): string {
  if (rule.anyPort) return 'on every port';
  const parts = rule.ports.map((p) => {
    if (p.port === undefined) return `every ${p.protocol} port`;
    if (typeof p.port === 'string') return `port ${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`;
    const range = p.endPort !== undefined && p.endPort > p.port ? `${p.port}-${p.endPort}` : `${p.port}`;
    return `${p.protocol} ${range}`;
  });
  return `on ${listNames(parts, 4)}`;
}

/**
 * NR032: an ingress peer of everything (`namespaceSelector: {}` or a /0 ipBlock). Egress
 * to everywhere is the usual default and has its own checks (NR053, NR061, NR062).
 */
const openToEveryone: Check = {
  codes: ['NR032'],
  run(context) {
    for (const policy of context.policies) {
      if (!policy.isolatesIngress) continue;
      for (const rule of policy.ingress) {
        safely(() => {
          for (const peer of rule.peers) {
            const cluster = isWholeCluster(peer);
            const internet = isAllAddresses(peer);
            if (!cluster && !internet) continue;
            const exposed = context.index.selectedWorkloads(policy);
            const selected = exposed.map((w) => w.id);
            const who =
              selected.length > 0 ? listNames(selected) : `the pods this policy selects (none in the workspace yet)`;
            let message: string;
            let span: Span;
            if (cluster) {
              span = peer.namespaceSelector!.span;
              message = `\`namespaceSelector: {}\` matches every namespace: every pod of the cluster may connect to ${who} ${describeRulePorts(rule)}.`;
            } else {
              const block = peer.ipBlock!;
              span = block.span;
              const family = block.cidr!.family === 4 ? 'IPv4' : 'IPv6';
              const except = block.except.map((e) => e.text);
              message = `\`${block.cidrText}\` is every ${family} address${except.length ? ` except ${listNames(except, 4)}` : ''}: the whole internet may connect to ${who} ${describeRulePorts(rule)}.`;
            }
            context.report({
              code: 'NR032',
              severity: 'warning',
              message,
              span,
              related: exposed.slice(0, 3).map((w) => ({ span: w.labelsSpan, message: `${w.id} is exposed` })),
              data: { exposed: selected },
            });
          }
        });
      }
    }
  },
};

export const OPEN_TO_EVERYONE_CHECKS: readonly Check[] = [openToEveryone].map(trimmingSpans);
