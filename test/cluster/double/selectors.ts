// Label and field selectors in their query-string form, as the API server parses them.
// Written independently of server/src/cluster (which matches LabelSelector objects) so a
// bug in one cannot hide the same bug in the other.

import type { KubeObject } from './types';

type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'eq' | 'neq'; key: string; value: string };

export class SelectorError extends Error {}

/** Splits on commas that are not inside a `(...)` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): Requirement {
  let m = /^!\s*([^\s!=()]+)$/.exec(text);
  if (m) return { op: 'notexists', key: m[1] };
  m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (m) {
    const values = m[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { op: m[2] === 'in' ? 'in' : 'notin', key: m[1], values };
  }
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(text);
  if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1], value: m[3] };
  m = /^([^\s!=()]+)$/.exec(text);
  if (m) return { op: 'exists', key: m[1] };
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(text)}`);
}

export function parseLabelSelector(text: string | null | undefined): (labels: Record<string, string>) => boolean {
  const requirements = splitTopLevel(text ?? '').map(parseRequirement);
  return (labels) =>
    requirements.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const value = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case 'in':
          return has && r.values.includes(value);
        case 'notin':
          return !has || !r.values.includes(value);
        case 'eq':
          return has && value === r.value;
        case 'neq':
          return !has || value !== r.value;
      }
    });
}

/** The fields the real API server lets you select on, per resource. */
const FIELDS: Record<string, Record<string, (o: KubeObject) => unknown>> = {
  '*': {
    'metadata.name': (o) => o.metadata?.name,
    'metadata.namespace': (o) => o.metadata?.namespace,
  },
  pods: {
    'status.phase': (o) => o.status?.phase,
    'spec.nodeName': (o) => o.spec?.nodeName,
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
    'status.podIP': (o) => o.status?.podIP,
  },
};

export function parseFieldSelector(resource: string, text: string | null | undefined): (object: KubeObject) => boolean {
  const tests = splitTopLevel(text ?? '').map((part) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid field selector: ${JSON.stringify(part)}`);
    const getter = FIELDS[resource]?.[m[1]] ?? FIELDS['*'][m[1]];
    if (!getter) throw new SelectorError(`field label not supported: ${m[1]}`);
    const negate = m[2] === '!=';
    const expected = m[3];
    return (o: KubeObject) => (String(getter(o) ?? '') === expected) !== negate;
  });
  return (o) => tests.every((t) => t(o));
}
