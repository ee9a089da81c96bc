/**
 * What every CLI command shares: loading the workspace from paths, locations as
 * `file:line`, endpoint names, and the output streams.
 */
import {
  buildWorkspace,
  describeRequirement,
  formatRange,
  parseCidr,
  parseIp,
  positionAt,
  cidrRange,
  type Endpoint,
  type Peer,
  type Span,
  type Workspace,
} from '../engine';
import { InputError, UsageError } from './errors';
import { collectManifestPaths, displayPath, readSources } from './files';

export interface Streams {
  out(text: string): void;
  err(text: string): void;
}

export const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function loadWorkspace(paths: readonly string[]): Workspace {
  return buildWorkspace(readSources(collectManifestPaths(paths)));
}

export function requireKubernetesObjects(workspace: Workspace): void {
  if (workspace.objectCount === 0) {
    throw new InputError('no Kubernetes objects found in the given paths (a manifest needs `apiVersion` and `kind`)');
  }
}

export function formatLocation(workspace: Workspace, span: Span): string {
  const file = workspace.files.get(span.uri)?.file;
  if (!file) return displayPath(span.uri);
  const { line, character } = positionAt(file, span.start);
  return `${displayPath(span.uri)}:${line + 1}:${character + 1}`;
}

/**
 * Resolves a name typed by the user: `ns/name[Kind]`, `ns/name` (unique in the
 * namespace), `name` (unique in the workspace), an IP address or a CIDR.
 */
export function resolveEndpoint(workspace: Workspace, text: string, flag: string): Endpoint {
  const trimmed = text.trim();
  const ip = parseIp(trimmed);
  if (ip) {
    return { kind: 'ip', range: { family: ip.family, start: ip.value, end: ip.value } };
  }
  if (trimmed.includes('/') && /^[0-9a-fA-F:.]+\/\d+$/.test(trimmed)) {
    const cidr = parseCidr(trimmed);
    if (!cidr.ok) throw new UsageError(`${flag} ${text}: ${cidr.reason}`);
    return { kind: 'ip', range: cidrRange(cidr.cidr) };
  }
  const match = /^(?:([^/\s[\]]+)\/)?([^/\s[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(trimmed);
  if (!match) throw new UsageError(`${flag} ${text}: expected ns/name[Kind], ns/name, a workload name or an IP address`);
  const [, namespace, name, kind] = match;
  const candidates = workspace.workloads.filter(
    (w) =>
      w.name === name &&
      (namespace === undefined || w.namespace === namespace) &&
      (kind === undefined || w.kind.toLowerCase() === kind.toLowerCase()),
  );
  if (candidates.length === 1) return { kind: 'workload', workload: candidates[0] };
  if (candidates.length > 1) {
    throw new UsageError(`${flag} ${text} is ambiguous: ${candidates.map((w) => w.id).join(', ')}`);
  }
  const similar = workspace.workloads
    .filter((w) => w.name.includes(name) || name.includes(w.name))
    .slice(0, 5)
    .map((w) => w.id);
  throw new UsageError(
    `${flag} ${text}: no such workload in the given manifests${similar.length ? ` (did you mean ${similar.join(', ')}?)` : ''}`,
  );
}

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
