/**
 * Editor versus cluster: which NetworkPolicies of the files are not applied yet, differ
 * from the cluster's, or exist only in the cluster. Policies are matched by namespace/name;
 * specs are compared after the defaulting the API server does (policyTypes, protocol TCP,
 * empty selectors and lists) and with order-insensitive lists put in a canonical order, so
 * only differences that change meaning or rule numbering are reported.
 */
import type { Policy } from '../engine';
import type { WireObject } from '../cluster/types';

export type PolicyDifferenceKind = 'missing-in-cluster' | 'differs' | 'extra-in-cluster';

export interface PolicyDifference {
  /** `namespace/name`. */
  readonly id: string;
  readonly kind: PolicyDifferenceKind;
  /** One line for people. */
  readonly message: string;
  /** What differs (for `differs`): `podSelector`, `ingress rule 2`, ... */
  readonly parts: readonly string[];
  /** The policy in the files (absent for extra-in-cluster). */
  readonly local?: Policy;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Canonical JSON: keys sorted, so equal values have equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function selector(value: unknown): JsonObject {
  if (!isObject(value)) return {};
  const out: JsonObject = {};
  if (isObject(value.matchLabels) && Object.keys(value.matchLabels).length) out.matchLabels = value.matchLabels;
  if (Array.isArray(value.matchExpressions) && value.matchExpressions.length) {
    const expressions = value.matchExpressions.filter(isObject).map((e) => {
      const values =
        Array.isArray(e.values) && e.values.length ? { values: [...new Set(e.values.map(String))].sort() } : {};
      return { key: e.key ?? null, operator: e.operator ?? null, ...values } as JsonObject;
    });
    out.matchExpressions = sortedBy(expressions, canonicalJson);
  }
  return out;
}

function peer(value: unknown): JsonObject {
  if (!isObject(value)) return {};
  const out: JsonObject = {};
  if (value.podSelector !== undefined && value.podSelector !== null) out.podSelector = selector(value.podSelector);
  if (value.namespaceSelector !== undefined && value.namespaceSelector !== null) {
    out.namespaceSelector = selector(value.namespaceSelector);
  }
  if (isObject(value.ipBlock)) {
    const except = Array.isArray(value.ipBlock.except) ? value.ipBlock.except.map(String).sort() : [];
    out.ipBlock = { cidr: value.ipBlock.cidr ?? null, ...(except.length ? { except } : {}) };
  }
  return out;
}

function port(value: unknown): JsonObject {
  if (!isObject(value)) return { protocol: 'TCP' };
  return {
    protocol: typeof value.protocol === 'string' ? value.protocol : 'TCP',
    ...(value.port !== undefined && value.port !== null ? { port: value.port } : {}),
    ...(value.endPort !== undefined && value.endPort !== null ? { endPort: value.endPort } : {}),
  };
}

function rule(value: unknown, peersKey: 'from' | 'to'): JsonObject {
  const r = isObject(value) ? value : {};
  const peers = Array.isArray(r[peersKey]) ? sortedBy((r[peersKey] as Json[]).map(peer), canonicalJson) : [];
  const ports = Array.isArray(r.ports) ? sortedBy(r.ports.map(port), canonicalJson) : [];
  return { ...(peers.length ? { [peersKey]: peers } : {}), ...(ports.length ? { ports } : {}) };
}

/** A NetworkPolicy spec after the API server's defaulting, in canonical form. */
export function normalizePolicySpec(spec: unknown): {
  podSelector: JsonObject;
  policyTypes: string[];
  ingress: JsonObject[];
  egress: JsonObject[];
} {
  const s = isObject(spec) ? spec : {};
  const ingress = Array.isArray(s.ingress) ? s.ingress.map((r) => rule(r, 'from')) : [];
  const egress = Array.isArray(s.egress) ? s.egress.map((r) => rule(r, 'to')) : [];
  const written = Array.isArray(s.policyTypes) ? s.policyTypes.map(String) : undefined;
  const policyTypes = written?.length
    ? [...new Set(written)].sort()
    : egress.length
      ? ['Egress', 'Ingress']
      : ['Ingress'];
  return { podSelector: selector(s.podSelector), policyTypes, ingress, egress };
}

/** The parts of two normalised specs that differ, in words. */
function differingParts(
  a: ReturnType<typeof normalizePolicySpec>,
  b: ReturnType<typeof normalizePolicySpec>,
): string[] {
  const parts: string[] = [];
  if (canonicalJson(a.podSelector) !== canonicalJson(b.podSelector)) parts.push('podSelector');
  if (canonicalJson(a.policyTypes) !== canonicalJson(b.policyTypes)) parts.push('policyTypes');
  for (const direction of ['ingress', 'egress'] as const) {
    const x = a[direction];
    const y = b[direction];
    if (x.length !== y.length) {
      parts.push(`${direction} rules (${x.length} in the files, ${y.length} in the cluster)`);
      continue;
    }
    x.forEach((r, i) => {
      if (canonicalJson(r) !== canonicalJson(y[i])) parts.push(`${direction} rule ${i + 1}`);
    });
  }
  return parts;
}

function policySpecJson(policy: Policy): unknown {
  const json = policy.object.map.toJSON() as { spec?: unknown };
  return json?.spec;
}

/**
 * Compares the files' policies with the cluster's. `localNamespace` gives the namespace a
 * policy without `metadata.namespace` lands in (kubectl's context namespace). Policies that
 * exist only in the cluster are reported for the namespaces the files' policies are in.
 */
export function comparePolicies(
  local: readonly Policy[],
  cluster: readonly WireObject[],
  localNamespace: (policy: Policy) => string = (p) => p.namespace,
): PolicyDifference[] {
  const differences: PolicyDifference[] = [];
  const clusterById = new Map(cluster.map((p) => [`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p]));
  const localIds = new Set<string>();
  const namespaces = new Set<string>();
  for (const policy of local) {
    const namespace = localNamespace(policy);
    const id = `${namespace}/${policy.name}`;
    localIds.add(id);
    namespaces.add(namespace);
    const live = clusterById.get(id);
    if (!live) {
      differences.push({
        id,
        kind: 'missing-in-cluster',
        message: `NetworkPolicy ${id} is in the files but not in the cluster (not applied yet).`,
        parts: [],
        local: policy,
      });
      continue;
    }
    const parts = differingParts(normalizePolicySpec(policySpecJson(policy)), normalizePolicySpec(live.spec));
    if (parts.length) {
      differences.push({
        id,
        kind: 'differs',
        message: `NetworkPolicy ${id} in the cluster differs from the files: ${parts.join(', ')}.`,
        parts,
        local: policy,
      });
    }
  }
  for (const [id, live] of clusterById) {
    if (localIds.has(id) || !namespaces.has(live.metadata?.namespace ?? '')) continue;
    differences.push({
      id,
      kind: 'extra-in-cluster',
      message: `NetworkPolicy ${id} is in the cluster but not in the files; it takes part in the predictions.`,
      parts: [],
    });
  }
  return differences.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
