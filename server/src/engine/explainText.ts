/**
 * Explanations and endpoints in words: the text `netreach explain` prints and the editor
 * shows, and the names users type for endpoints. `locate` turns a span into `file:line`
 * the way the caller wants it (a path in a terminal, a link in the editor).
 */
import { describeRequirement } from './labels';
import { cidrRange, formatRange, parseCidr, parseIp } from './ip';
import type { Peer } from './model';
import { describePorts, isEmpty, type Protocol } from './ports';
import type { Endpoint } from './reachability';
import { verdictFor, type Explanation, type SideExplanation } from './explain';
import type { Span } from './findings';
import type { Workspace } from './workspace';

export type Locate = (span: Span) => string;

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'workload' ? endpoint.workload.id : `${formatRange(endpoint.range)}[External]`;
}

export function describePeer(peer: Peer | undefined): string {
  if (!peer) return 'any peer';
  const parts: string[] = [];
  if (peer.namespaceSelector) {
    const reqs = peer.namespaceSelector.selector.requirements;
    parts.push(reqs.length ? `namespaces ${reqs.map(describeRequirement).join(', ')}` : 'all namespaces');
  }
  if (peer.podSelector) {
    const reqs = peer.podSelector.selector.requirements;
    parts.push(reqs.length ? `pods ${reqs.map(describeRequirement).join(', ')}` : 'all pods');
  }
  if (peer.ipBlock) {
    const except = peer.ipBlock.except.map((e) => e.text);
    parts.push(`ipBlock ${peer.ipBlock.cidrText}${except.length ? ` except ${except.join(', ')}` : ''}`);
  }
  return parts.join(' and ');
}

export type EndpointResolution = { ok: true; endpoint: Endpoint } | { ok: false; message: string };

/**
 * Resolves a name typed by a user: `ns/name[Kind]`, `ns/name` (unique in the
 * namespace), `name` (unique in the workspace), an IP address or a CIDR.
 */
export function resolveEndpoint(workspace: Workspace, text: string): EndpointResolution {
  const trimmed = text.trim();
  const ip = parseIp(trimmed);
  if (ip) return { ok: true, endpoint: { kind: 'ip', range: { family: ip.family, start: ip.value, end: ip.value } } };
  if (/^[0-9a-fA-F:.]+\/\d+$/.test(trimmed)) {
    const cidr = parseCidr(trimmed);
    return cidr.ok
      ? { ok: true, endpoint: { kind: 'ip', range: cidrRange(cidr.cidr) } }
      : { ok: false, message: cidr.reason };
  }
  const match = /^(?:([^/\s[\]]+)\/)?([^/\s[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(trimmed);
  if (!match) return { ok: false, message: 'expected ns/name[Kind], ns/name, a workload name or an IP address' };
  const [, namespace, name, kind] = match;
  const candidates = workspace.workloads.filter(
    (w) =>
      w.name === name &&
      (namespace === undefined || w.namespace === namespace) &&
      (kind === undefined || w.kind.toLowerCase() === kind.toLowerCase()),
  );
  if (candidates.length === 1) return { ok: true, endpoint: { kind: 'workload', workload: candidates[0] } };
  if (candidates.length > 1) return { ok: false, message: `ambiguous: ${candidates.map((w) => w.id).join(', ')}` };
  const similar = workspace.workloads
    .filter((w) => w.name.includes(name) || name.includes(w.name))
    .slice(0, 5)
    .map((w) => w.id);
  return {
    ok: false,
    message: `no such workload in the manifests${similar.length ? ` (did you mean ${similar.join(', ')}?)` : ''}`,
  };
}

export function formatExplanation(
  explanation: Explanation,
  locate: Locate,
  port?: { protocol: Protocol; port: number },
): string {
  const lines: string[] = [];
  lines.push(`${describeEndpoint(explanation.source)} -> ${describeEndpoint(explanation.destination)}`);
  if (port) {
    const verdict = verdictFor(explanation, port.protocol, port.port);
    const blocked = [!verdict.egress && 'egress', !verdict.ingress && 'ingress'].filter(Boolean).join(' and ');
    lines.push(`  ${port.protocol}/${port.port}: ${verdict.allowed ? 'ALLOWED' : `DENIED (by ${blocked})`}`);
  }
  lines.push(`  allowed: ${isEmpty(explanation.allowed) ? 'nothing (DENIED)' : describePorts(explanation.allowed)}`);
  lines.push('');
  lines.push(...describeSide(explanation.egress, explanation.destination, locate));
  lines.push('');
  lines.push(...describeSide(explanation.ingress, explanation.source, locate));
  return `${lines.join('\n')}\n`;
}

function describeSide(side: SideExplanation, other: Endpoint, locate: Locate): string[] {
  const self = describeEndpoint(side.endpoint);
  const header = side.direction === 'egress' ? `egress from ${self}` : `ingress to ${self}`;
  if (!side.governed) return [`  ${header}: an external address, not governed by NetworkPolicy`];
  if (side.isolatingPolicies.length === 0) {
    return [
      `  ${header}: not isolated (no NetworkPolicy selects it for ${side.direction === 'egress' ? 'Egress' : 'Ingress'}), so all is allowed`,
    ];
  }
  const lines = [`  ${header}: isolated by`];
  for (const policy of side.isolatingPolicies) lines.push(`    - ${policy.id} (${locate(policy.object.nameSpan)})`);
  const allowing = side.matchingRules.filter((m) => !isEmpty(m.ports));
  const toward = side.direction === 'egress' ? 'to' : 'from';
  if (allowing.length === 0) {
    lines.push(
      `    no rule of ${side.isolatingPolicies.length === 1 ? 'it' : 'them'} allows traffic ${toward} ${describeEndpoint(other)}: DENIED`,
    );
    const rules = side.isolatingPolicies.flatMap((p) => (side.direction === 'egress' ? p.egress : p.ingress));
    if (rules.length > 0) {
      lines.push('    their rules allow only:');
      for (const rule of rules) {
        const peers = rule.anyPeer ? 'any peer' : rule.peers.map(describePeer).join(' or ');
        lines.push(
          `    - ${rule.policy.id} ${rule.direction} rule ${rule.index + 1} (${locate(rule.span)}): ${toward} ${peers}`,
        );
      }
    }
  } else {
    lines.push('    allowed by:');
    for (const match of allowing) {
      const rule = match.rule;
      lines.push(
        `    - ${rule.policy.id} ${rule.direction} rule ${rule.index + 1} (${locate(rule.span)}): ${describePorts(match.ports)} ${toward} ${describePeer(match.peer)}`,
      );
    }
  }
  for (const match of side.matchingRules.filter((m) => isEmpty(m.ports))) {
    const rule = match.rule;
    lines.push(
      `    (${rule.policy.id} ${rule.direction} rule ${rule.index + 1} (${locate(rule.span)}) matches the peer, but its ports resolve to nothing here)`,
    );
  }
  return lines;
}

/** The explanation as plain data, for JSON output and the editor. */
export function explanationData(explanation: Explanation, locate: Locate, port?: { protocol: Protocol; port: number }) {
  const side = (s: SideExplanation) => ({
    direction: s.direction,
    endpoint: describeEndpoint(s.endpoint),
    governed: s.governed,
    isolated: s.isolatingPolicies.length > 0,
    isolatingPolicies: s.isolatingPolicies.map((p) => ({
      policy: p.id,
      location: locate(p.object.nameSpan),
      span: p.object.nameSpan,
    })),
    rules: s.matchingRules.map((m) => ({
      policy: m.rule.policy.id,
      direction: m.rule.direction,
      rule: m.rule.index + 1,
      location: locate(m.rule.span),
      span: m.rule.span,
      peer: describePeer(m.peer),
      ports: describePorts(m.ports),
    })),
    allowed: describePorts(s.allowed),
  });
  const verdict = port ? verdictFor(explanation, port.protocol, port.port) : undefined;
  return {
    from: describeEndpoint(explanation.source),
    to: describeEndpoint(explanation.destination),
    allowed: describePorts(explanation.allowed),
    ...(port && verdict
      ? { port: `${port.protocol}/${port.port}`, verdict: verdict.allowed ? ('allowed' as const) : ('denied' as const) }
      : {}),
    egress: side(explanation.egress),
    ingress: side(explanation.ingress),
  };
}

export function parsePortText(text: string): { protocol: Protocol; port: number } | undefined {
  const match = /^(TCP|UDP|SCTP)[/ :](\d{1,5})$/i.exec(text.trim()) ?? /^(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const [protocolText, portText] = match.length === 3 ? [match[1], match[2]] : ['TCP', match[1]];
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { protocol: protocolText.toUpperCase() as Protocol, port };
}
