/**
 * "It does not do what you think": checks on the meaning of a policy as written
 * (NR020-NR024, NR033). Checks that need the other manifests are in selectorTargets.ts,
 * openToEveryone.ts and redundancy.ts.
 */
import { isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { appendToSequence, blockListLines, insertIntoMap, pairIn, rangeOf } from '../edits';
import type { Fix, Span } from '../findings';
import type { Direction, Policy, Rule } from '../model';
import { isKustomizationFile } from '../kustomize';
import type { ParsedFile } from '../yamlFile';
import type { Check, CheckContext } from './context';
import { replacePairValue, seqAt } from './yamlFix';

function fileOf(policy: Policy): ParsedFile {
  return policy.object.file;
}

function specMap(policy: Policy): YAMLMap | undefined {
  const spec = policy.object.map.get('spec', true) as Node | undefined;
  return spec && isMap(spec) ? spec : undefined;
}

const TYPE_NAME: Record<Direction, 'Ingress' | 'Egress'> = { ingress: 'Ingress', egress: 'Egress' };

/** NR020: rules of a direction that policyTypes leaves out are ignored. */
const ignoredRules: Check = {
  codes: ['NR020'],
  run(context) {
    for (const policy of context.policies) {
      if (!policy.policyTypesExplicit) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = direction === 'ingress' ? policy.ingress : policy.egress;
        const isolates = direction === 'ingress' ? policy.isolatesIngress : policy.isolatesEgress;
        const span = direction === 'ingress' ? policy.ingressSpan : policy.egressSpan;
        if (rules.length === 0 || isolates || !span) continue;
        const type = TYPE_NAME[direction];
        const keySpan: Span = { ...span, end: span.start + direction.length };
        context.report({
          code: 'NR020',
          severity: 'error',
          message: `These ${direction} rules are ignored: policyTypes does not list ${type}, so the selected pods keep unrestricted ${direction}.`,
          span: keySpan,
          fixes: () => addPolicyTypeFix(fileOf(policy), policy, type),
        });
      }
    }
  },
};

function addPolicyTypeFix(file: ParsedFile, policy: Policy, type: 'Ingress' | 'Egress'): Fix[] {
  const spec = specMap(policy);
  const pair = spec && pairIn(spec, 'policyTypes');
  if (!pair || !isSeq(pair.value)) return [];
  return [
    {
      title: `Add ${type} to policyTypes`,
      edits: [appendToSequence(file, pair.value as YAMLSeq, type)],
      preferred: true,
    },
  ];
}

/** NR021: policyTypes omitted, so the defaults apply. */
const defaultedTypes: Check = {
  codes: ['NR021'],
  run(context) {
    for (const policy of context.policies) {
      if (policy.policyTypesExplicit) continue;
      const spec = specMap(policy);
      const types = [policy.isolatesIngress && 'Ingress', policy.isolatesEgress && 'Egress'].filter(
        Boolean,
      ) as string[];
      const specPair = policy.object.map.items.find((p) => (p.key as { value?: unknown })?.value === 'spec');
      const keyNode = specPair?.key as Node | undefined;
      const span: Span = keyNode?.range
        ? { uri: policy.object.file.uri, start: keyNode.range[0], end: keyNode.range[1] }
        : policy.object.nameSpan;
      const file = fileOf(policy);
      const fixes = (): Fix[] =>
        spec && keyNode?.range
          ? [
              {
                title: `Write out policyTypes: [${types.join(', ')}]`,
                edits: [policyTypesEdit(file, spec, types, keyNode.range[0])],
                preferred: true,
              },
            ]
          : [];
      context.report({
        code: 'NR021',
        severity: 'info',
        message: policy.isolatesEgress
          ? 'policyTypes is omitted, so it defaults to Ingress and Egress (Egress because egress rules are present). Writing it out makes the isolation explicit.'
          : 'policyTypes is omitted, so it defaults to Ingress only: these pods keep unrestricted egress. Writing it out makes the isolation explicit.',
        span,
        fixes,
      });
    }
  },
};

/**
 * A one-character merge: turning the `-` of the second list item into a space makes its
 * keys continue the first item's mapping, whatever the indentation, comments kept.
 */
function mergeItemsFix(file: ParsedFile, second: Node, title: string): Fix | undefined {
  const range = rangeOf(second);
  if (!range || !isMap(second) || second.flow) return undefined;
  const dash = file.text.lastIndexOf('-', range[0]);
  if (dash < 0 || file.text.slice(dash + 1, range[0]).trim() !== '') return undefined;
  return { title, edits: [{ uri: file.uri, start: dash, end: dash + 1, text: ' ' }], preferred: true };
}

/** NR022: `- namespaceSelector` then `- podSelector` as two peers (OR) where one (AND) was probably meant. */
const splitPeer: Check = {
  codes: ['NR022'],
  run(context) {
    for (const policy of context.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const peers = rule.peers;
        for (let i = 0; i + 1 < peers.length; i++) {
          const a = peers[i];
          const b = peers[i + 1];
          const onlyNamespace = (p: typeof a) => p.namespaceSelector && !p.podSelector && !p.ipBlock;
          const onlyPod = (p: typeof a) => p.podSelector && !p.namespaceSelector && !p.ipBlock;
          if (!((onlyNamespace(a) && onlyPod(b)) || (onlyPod(a) && onlyNamespace(b)))) continue;
          if (b.index !== a.index + 1) continue;
          const file = fileOf(policy);
          const fixes = (): Fix[] => {
            const second = seqAt(file, rule.peersSpan)?.items[b.index] as Node | undefined;
            const fix = second ? mergeItemsFix(file, second, 'Merge into one peer (both must match)') : undefined;
            return fix ? [fix] : [];
          };
          const nsPeer = onlyNamespace(a) ? a : b;
          const podPeer = onlyPod(a) ? a : b;
          const direction = rule.direction === 'ingress' ? 'from' : 'to';
          context.report({
            code: 'NR022',
            severity: 'warning',
            message: `These are two peers, so either matches: all pods of the selected namespaces, OR the selected pods of ${policy.namespace}. For "these pods in those namespaces", write one peer with both selectors (${/\.json$/i.test(file.uri) ? 'one object' : 'remove the second dash'}).`,
            span: { uri: file.uri, start: a.span.start, end: b.span.end },
            related: [
              { span: nsPeer.span, message: `${direction}: every pod of the namespaces this selects` },
              { span: podPeer.span, message: `${direction}: these pods, in ${policy.namespace} only` },
            ],
            fixes,
          });
        }
      }
    }
  },
};

/** NR023: `- from:` in one rule and `- ports:` in the next. */
const splitRule: Check = {
  codes: ['NR023'],
  run(context) {
    for (const policy of context.policies) {
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = direction === 'ingress' ? policy.ingress : policy.egress;
        const span = direction === 'ingress' ? policy.ingressSpan : policy.egressSpan;
        for (let i = 0; i + 1 < rules.length; i++) {
          const a = rules[i];
          const b = rules[i + 1];
          const peersOnly = (r: Rule) => !r.anyPeer && r.anyPort && r.portsSpan === undefined;
          const portsOnly = (r: Rule) => r.anyPeer && !r.anyPort && r.peersSpan === undefined;
          if (!(peersOnly(a) && portsOnly(b))) continue;
          const file = fileOf(policy);
          const fixes = (): Fix[] => {
            const second = seqAt(file, span)?.items[b.index] as Node | undefined;
            const fix = second
              ? mergeItemsFix(file, second, 'Merge into one rule (these peers on these ports)')
              : undefined;
            return fix ? [fix] : [];
          };
          const key = direction === 'ingress' ? 'from' : 'to';
          context.report({
            code: 'NR023',
            severity: 'warning',
            message: `\`${key}\` and \`ports\` are two separate rules: the first opens every port to these peers, the second opens these ports to everyone (cluster and internet). For "these peers on these ports", put both in one rule.`,
            span: { uri: file.uri, start: a.span.start, end: b.span.end },
            related: [
              { span: a.span, message: 'this rule allows every port' },
              { span: b.span, message: 'this rule allows every source and destination' },
            ],
            fixes,
          });
        }
      }
    }
  },
};

/** NR024: a rule that allows everything, or ports to any peer. */
const allowsEverything: Check = {
  codes: ['NR024'],
  run(context) {
    for (const policy of context.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (!rule.anyPeer) continue;
        if (rule.peersSpan === undefined && rule.portsSpan !== undefined && !rule.anyPort) {
          // NR023 reports this shape when it follows a peers-only rule.
          const previous = (rule.direction === 'ingress' ? policy.ingress : policy.egress)[rule.index - 1];
          if (previous && !previous.anyPeer && previous.anyPort && previous.portsSpan === undefined) continue;
        }
        const side = rule.direction === 'ingress' ? 'from any source' : 'to any destination';
        context.report({
          code: 'NR024',
          severity: 'warning',
          message: rule.anyPort
            ? `This rule allows all traffic ${side}: every pod of every namespace and every IP address, on every port. \`{}\` as a rule means "allow everything"; an empty rule list (\`${rule.direction}: []\`) means "allow nothing".`
            : `This rule has no \`${rule.direction === 'ingress' ? 'from' : 'to'}\`, so its ports are open ${side}: every pod of every namespace and every IP address.`,
          span: rule.span,
        });
      }
    }
  },
};

/** NR033: no metadata.namespace. */
const missingNamespace: Check = {
  codes: ['NR033'],
  run(context) {
    for (const policy of context.policies) {
      if (policy.namespaceExplicit) continue;
      const file = fileOf(policy);
      const packaged = isPackaged(context, file.uri);
      const metadata = policy.object.map.get('metadata', true) as Node | undefined;
      const fixes = (): Fix[] => {
        if (!metadata || !isMap(metadata) || packaged) return [];
        const inferred = inferNamespace(context, policy);
        return [
          { title: `Add namespace: ${inferred}`, edits: [namespaceEdit(file, metadata, inferred)], preferred: true },
        ];
      };
      context.report({
        code: 'NR033',
        severity: packaged ? 'info' : 'warning',
        message: packaged
          ? 'No metadata.namespace: the namespace comes from the kustomization or chart that renders this file.'
          : `No metadata.namespace: kubectl applies this policy to whatever namespace the current context points at, and it then selects pods there. netreach assumes "default".`,
        span: policy.object.nameSpan,
        fixes,
      });
    }
  },
};

/** Writes the namespace: fills an empty `namespace:` key, or adds the key. */
function namespaceEdit(file: ParsedFile, metadata: YAMLMap, namespace: string) {
  const existing = pairIn(metadata, 'namespace');
  const key = existing?.key as Node | undefined;
  if (existing && key?.range) {
    const value = existing.value as (Node & { source?: string }) | null;
    // `namespace: null` or `~`: replace the word; `namespace:` with nothing: write after the colon.
    if (value?.range && value.range[1] > value.range[0]) {
      return { uri: file.uri, start: value.range[0], end: value.range[1], text: namespace };
    }
    const colon = file.text.indexOf(':', key.range[1]);
    return { uri: file.uri, start: colon, end: colon + 1, text: `: ${namespace}` };
  }
  return insertIntoMap(file, metadata, 'namespace', [namespace], metadata.range![0]);
}

/** `policyTypes` written out: the value of a `policyTypes:` key left empty (null), or a new key. */
function policyTypesEdit(file: ParsedFile, spec: YAMLMap, types: string[], parentOffset: number) {
  const existing = pairIn(spec, 'policyTypes');
  const edit = existing && replacePairValue(file, existing, types);
  return edit ?? insertIntoMap(file, spec, 'policyTypes', blockListLines(file.text, types), parentOffset);
}

/** Inside a kustomize or Helm tree, namespaces are usually set when rendering. */
function isPackaged(context: CheckContext, uri: string): boolean {
  const folder = uri.slice(0, uri.lastIndexOf('/') + 1);
  for (const other of context.workspace.files.keys()) {
    if (!isKustomizationFile(other) && !/(^|\/)Chart\.ya?ml$/.test(other)) continue;
    const otherFolder = other.slice(0, other.lastIndexOf('/') + 1);
    if (folder.startsWith(otherFolder)) return true;
  }
  return /\/templates\//.test(uri);
}

/** The namespace most objects of the same file (else folder) declare; `default` otherwise. */
function inferNamespace(context: CheckContext, policy: Policy): string {
  const uri = policy.object.file.uri;
  const folder = uri.slice(0, uri.lastIndexOf('/') + 1);
  const count = (filter: (u: string) => boolean) => {
    const counts = new Map<string, number>();
    for (const [fileUri, model] of context.workspace.files) {
      if (!filter(fileUri)) continue;
      for (const object of model.objects) {
        const ns = object.kind === 'Namespace' ? object.name : object.namespace;
        if (ns) counts.set(ns, (counts.get(ns) ?? 0) + 1);
      }
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  return (
    count((u) => u === uri) ?? count((u) => u.startsWith(folder) && !u.slice(folder.length).includes('/')) ?? 'default'
  );
}

export const MEANING_CHECKS: readonly Check[] = [
  ignoredRules,
  defaultedTypes,
  splitPeer,
  splitRule,
  allowsEverything,
  missingNamespace,
];
