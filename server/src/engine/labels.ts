/**
 * Labels and label selectors, with the matching and validation rules of the Kubernetes
 * API (apimachinery's LabelSelector and label syntax).
 */

export type Labels = ReadonlyMap<string, string>;

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  /** matchLabels entries become `In` requirements with one value. */
  readonly requirements: readonly Requirement[];
  /** Canonical text: equal selectors have equal keys. */
  readonly key: string;
}

export function makeSelector(requirements: readonly Requirement[]): Selector {
  const canonical = requirements
    .map((r) => `${r.key}\u0000${r.operator}\u0000${[...new Set(r.values)].sort().join('\u0001')}`)
    .sort();
  return { requirements, key: [...new Set(canonical)].join('\u0002') };
}

/** The empty selector: matches everything. */
export const EVERYTHING: Selector = makeSelector([]);

export function isEmptySelector(selector: Selector): boolean {
  return selector.requirements.length === 0;
}

export function requirementMatches(requirement: Requirement, labels: Labels): boolean {
  const value = labels.get(requirement.key);
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

export function selectorMatches(selector: Selector, labels: Labels): boolean {
  for (const requirement of selector.requirements) {
    if (!requirementMatches(requirement, labels)) return false;
  }
  return true;
}

/** `app=web, tier in (a,b), !debug`; `{}` (everything) for the empty selector. */
export function describeSelector(selector: Selector): string {
  if (selector.requirements.length === 0) return '{} (everything)';
  return selector.requirements.map(describeRequirement).join(', ');
}

export function describeRequirement(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(', ')})`;
    case 'NotIn':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(', ')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

export function formatLabels(labels: Labels): string {
  return [...labels].map(([k, v]) => `${k}=${v}`).join(', ');
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `the prefix of "${key}" is empty`;
    if (prefix.length > 253) return `the prefix of "${key}" is longer than 253 characters`;
    if (!DNS_SUBDOMAIN.test(prefix)) {
      return `the prefix "${prefix}" is not a DNS subdomain (lowercase letters, digits, '-' and '.')`;
    }
  }
  if (name.length === 0) return `the name part of "${key}" is empty`;
  if (name.length > 63) return `the name part of "${key}" is longer than 63 characters`;
  if (!NAME_PART.test(name)) {
    return `"${name}" must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return `the value "${value}" is longer than 63 characters`;
  if (!NAME_PART.test(value)) {
    return `the value "${value}" must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'`;
  }
  return undefined;
}

/** Label keys that controllers set on pods; selecting on them is fragile. */
export const CONTROLLER_MANAGED_KEYS: ReadonlySet<string> = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'job-name',
  'batch.kubernetes.io/job-name',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
]);

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
