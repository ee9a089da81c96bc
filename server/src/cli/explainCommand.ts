/** `netreach explain`: allowed or denied, and which policy and rule decide. */
import {
  describePorts,
  explain,
  isEmpty,
  verdictFor,
  type Explanation,
  type Protocol,
  type SideExplanation,
  type Workspace,
} from '../engine';
import { requireOption, type ParsedCommand } from './args';
import { loadExactIndex } from './connlistCommand';
import { describeEndpoint, describePeer, formatLocation, resolveEndpoint, type Streams } from './context';
import { UsageError } from './errors';

export function parsePort(text: string): { protocol: Protocol; port: number } {
  const match = /^(TCP|UDP|SCTP)[/ :](\d{1,5})$/i.exec(text.trim()) ?? /^(\d{1,5})$/.exec(text.trim());
  if (!match) throw new UsageError(`--port ${text}: expected PROTOCOL/PORT, e.g. TCP/80 or UDP/53`);
  const [protocolText, portText] = match.length === 3 ? [match[1], match[2]] : ['TCP', match[1]];
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new UsageError(`--port ${text}: the port must be within 1-65535`);
  return { protocol: protocolText.toUpperCase() as Protocol, port };
}

export function runExplain(command: ParsedCommand, streams: Streams): number {
  const from = requireOption(command, 'from');
  const to = requireOption(command, 'to');
  const port = command.options.port ? parsePort(command.options.port) : undefined;
  const index = loadExactIndex(command.positionals, command.options['ipblock-pods'], streams);
  const workspace = index.workspace;
  const source = resolveEndpoint(workspace, from, '--from');
  const destination = resolveEndpoint(workspace, to, '--to');
  if (source.kind === 'ip' && destination.kind === 'ip') {
    throw new UsageError('--from and --to are both IP addresses; NetworkPolicies govern traffic to and from pods');
  }
  const explanation = explain(index, source, destination);
  if (command.options.output === 'json') {
    streams.out(`${JSON.stringify(explanationJson(workspace, explanation, port), null, 2)}\n`);
  } else {
    streams.out(formatExplanation(workspace, explanation, port));
  }
  return 0;
}

export function formatExplanation(
  workspace: Workspace,
  explanation: Explanation,
  port?: { protocol: Protocol; port: number },
): string {
  const lines: string[] = [];
  const from = describeEndpoint(explanation.source);
  const to = describeEndpoint(explanation.destination);
  lines.push(`${from} -> ${to}`);
  if (port) {
    const verdict = verdictFor(explanation, port.protocol, port.port);
    const blocked = [!verdict.egress && 'egress', !verdict.ingress && 'ingress'].filter(Boolean).join(' and ');
    lines.push(`  ${port.protocol}/${port.port}: ${verdict.allowed ? 'ALLOWED' : `DENIED (by ${blocked})`}`);
  }
  lines.push(`  allowed: ${isEmpty(explanation.allowed) ? 'nothing (DENIED)' : describePorts(explanation.allowed)}`);
  lines.push('');
  lines.push(...describeSide(workspace, explanation.egress, explanation.destination));
  lines.push('');
  lines.push(...describeSide(workspace, explanation.ingress, explanation.source));
  return `${lines.join('\n')}\n`;
}

function describeSide(workspace: Workspace, side: SideExplanation, other: Explanation['source']): string[] {
  const self = describeEndpoint(side.endpoint);
  const header = side.direction === 'egress' ? `egress from ${self}` : `ingress to ${self}`;
  if (!side.governed) return [`  ${header}: an external address, not governed by NetworkPolicy`];
  if (side.isolatingPolicies.length === 0) {
    return [`  ${header}: not isolated (no NetworkPolicy selects it for ${side.direction === 'egress' ? 'Egress' : 'Ingress'}), so all is allowed`];
  }
  const lines = [`  ${header}: isolated by`];
  for (const policy of side.isolatingPolicies) {
    lines.push(`    - ${policy.id} (${formatLocation(workspace, policy.object.nameSpan)})`);
  }
  const allowing = side.matchingRules.filter((m) => !isEmpty(m.ports));
  if (allowing.length === 0) {
    lines.push(`    no rule of ${side.isolatingPolicies.length === 1 ? 'it' : 'them'} allows traffic ${side.direction === 'egress' ? 'to' : 'from'} ${describeEndpoint(other)}: DENIED`);
  } else {
    lines.push('    allowed by:');
    for (const match of allowing) {
      const rule = match.rule;
      lines.push(
        `    - ${rule.policy.id} ${rule.direction} rule ${rule.index + 1} (${formatLocation(workspace, rule.span)}): ${describePorts(match.ports)} ${side.direction === 'egress' ? 'to' : 'from'} ${describePeer(match.peer)}`,
      );
    }
  }
  for (const match of side.matchingRules.filter((m) => isEmpty(m.ports))) {
    const rule = match.rule;
    lines.push(
      `    (${rule.policy.id} ${rule.direction} rule ${rule.index + 1} (${formatLocation(workspace, rule.span)}) matches the peer, but its ports resolve to nothing here)`,
    );
  }
  return lines;
}

function explanationJson(workspace: Workspace, explanation: Explanation, port?: { protocol: Protocol; port: number }) {
  const side = (s: SideExplanation) => ({
    direction: s.direction,
    endpoint: describeEndpoint(s.endpoint),
    governed: s.governed,
    isolated: s.isolatingPolicies.length > 0,
    isolatingPolicies: s.isolatingPolicies.map((p) => ({ policy: p.id, location: formatLocation(workspace, p.object.nameSpan) })),
    rules: s.matchingRules.map((m) => ({
      policy: m.rule.policy.id,
      direction: m.rule.direction,
      rule: m.rule.index + 1,
      location: formatLocation(workspace, m.rule.span),
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
    ...(port && verdict ? { port: `${port.protocol}/${port.port}`, verdict: verdict.allowed ? 'allowed' : 'denied' } : {}),
    egress: side(explanation.egress),
    ingress: side(explanation.ingress),
  };
}
