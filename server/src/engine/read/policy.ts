/**
 * Reading NetworkPolicy manifests into the model, with the API server's validation
 * (NR001-NR012, NR014). A policy with a value of the wrong type is left out, as the
 * API server would refuse it; other invalid policies are kept with their best-effort
 * meaning and findings marked `rejectedByApi`.
 */
import { isScalar, type Node } from 'yaml';
import { FieldReader, type Field } from '../ast';
import type { Finding, Span } from '../findings';
import { cidrRange, formatCidr, isStrictlyInside, parseCidr, subtractRanges, type Cidr } from '../ip';
import type { Direction, ExceptEntry, IpBlock, Peer, Policy, PortSpec, Rule } from '../model';
import type { KubeObject } from '../objects';
import { isProtocol, MAX_PORT, MIN_PORT, type Protocol } from '../ports';
import { readSelector } from './selector';

export const DEFAULT_NAMESPACE = 'default';

export interface PolicyReading {
  readonly policy: Policy | undefined;
  readonly findings: readonly Finding[];
}

export function readPolicy(object: KubeObject): PolicyReading {
  const name = object.name ?? '';
  const reader = new FieldReader(object.file, object.document.document, `NetworkPolicy "${name}"`);
  const findings = reader.findings;

  if (object.apiVersion === 'extensions/v1beta1') {
    const apiField = reader.field(object.map, 'apiVersion');
    findings.push({
      code: 'NR012',
      severity: 'error',
      message:
        'NetworkPolicy in `extensions/v1beta1` was removed in Kubernetes 1.16; use `networking.k8s.io/v1`. Current clusters refuse this manifest.',
      span: apiField?.value ? reader.span(apiField.value) : object.span,
      rejectedByApi: true,
    });
  }

  const metadata = reader.map(reader.field(object.map, 'metadata'));
  if (!object.name) {
    const nameField = reader.field(metadata, 'name');
    reader.string(nameField);
    if (!reader.broken) {
      findings.push({
        code: 'NR014',
        severity: 'error',
        message:
          'This NetworkPolicy has no `metadata.name`. The API server refuses it, so it is left out of the analysis.',
        span: object.span,
        rejectedByApi: true,
      });
    }
    return { policy: undefined, findings };
  }
  const namespaceField = reader.field(metadata, 'namespace');
  const namespace = object.assignedNamespace ?? reader.string(namespaceField) ?? DEFAULT_NAMESPACE;

  const specField = reader.field(object.map, 'spec');
  const spec = reader.map(specField);
  const podSelectorField = reader.field(spec, 'podSelector');
  const podSelector = readSelector(reader, podSelectorField);
  if (!podSelectorField && !reader.broken) {
    findings.push({
      code: 'NR003',
      severity: 'error',
      message:
        '`spec.podSelector` is missing. It is required; the API server stores an absent one as `{}`, which selects every pod in the namespace.',
      span: specField ? specField.keySpan : object.nameSpan,
      rejectedByApi: false,
      data: { specPresent: specField !== undefined },
    });
  }

  const policyTypesField = reader.field(spec, 'policyTypes');
  const policyTypes = readPolicyTypes(reader, policyTypesField);
  const ingressField = reader.field(spec, 'ingress');
  const egressField = reader.field(spec, 'egress');
  const ingressSeq = reader.seq(ingressField);
  const egressSeq = reader.seq(egressField);

  // Assemble the policy first so rules can point back at it.
  const ingress: Rule[] = [];
  const egress: Rule[] = [];
  const hasEgressRules = (egressSeq?.items.length ?? 0) > 0;
  const policy: Policy = {
    id: `${namespace}/${name}`,
    name,
    namespace,
    namespaceExplicit: namespaceField?.value !== undefined,
    object,
    podSelector,
    // Defaulting (k8s SetDefaults_NetworkPolicySpec): Ingress always, Egress when egress rules exist.
    isolatesIngress: policyTypes ? policyTypes.has('Ingress') : true,
    isolatesEgress: policyTypes ? policyTypes.has('Egress') : hasEgressRules,
    policyTypesExplicit: policyTypes !== undefined,
    ingress,
    egress,
    ingressSpan: ingressField?.span,
    egressSpan: egressField?.span,
    specSpan: specField?.span ?? object.span,
  };
  readRules(reader, policy, 'ingress', ingressSeq, ingress);
  readRules(reader, policy, 'egress', egressSeq, egress);

  return { policy: reader.broken ? undefined : policy, findings };
}

function readPolicyTypes(reader: FieldReader, field: Field | undefined): Set<'Ingress' | 'Egress'> | undefined {
  const seq = reader.seq(field);
  if (!seq || seq.items.length === 0) return undefined;
  const types = new Set<'Ingress' | 'Egress'>();
  for (const item of reader.items(seq)) {
    const span = reader.span((item ?? seq) as Node);
    if (!item || !isScalar(item) || typeof item.value !== 'string') {
      reader.typeError({ key: 'policyTypes', value: item, span }, 'a list of "Ingress" and "Egress"');
      continue;
    }
    const text = item.value;
    const canonical =
      text.toLowerCase() === 'ingress' ? 'Ingress' : text.toLowerCase() === 'egress' ? 'Egress' : undefined;
    if (canonical !== text) {
      reader.findings.push({
        code: 'NR008',
        severity: 'error',
        message: canonical
          ? `\`${text}\` must be written exactly \`${canonical}\`. The API server refuses this policy.`
          : `\`${text}\` is not a policy type; use \`Ingress\` or \`Egress\`. The API server refuses this policy.`,
        span,
        rejectedByApi: true,
        data: canonical ? { replacement: canonical } : undefined,
      });
    }
    if (canonical) types.add(canonical);
  }
  return types;
}

function readRules(
  reader: FieldReader,
  policy: Policy,
  direction: Direction,
  seq: ReturnType<FieldReader['seq']>,
  into: Rule[],
): void {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  reader.items(seq).forEach((item, index) => {
    const span = reader.span((item ?? seq) as Node);
    // `- {}` and `-` (null) are both a rule with no peers and no ports: it allows everything.
    const ruleMap = item === undefined ? undefined : reader.itemMap(item, direction, span);
    if (item !== undefined && !ruleMap) return;
    const peersField = reader.field(ruleMap, peersKey);
    const portsField = reader.field(ruleMap, 'ports');
    const peerSeq = reader.seq(peersField);
    const portSeq = reader.seq(portsField);
    const peers: Peer[] = [];
    reader.items(peerSeq).forEach((peerNode, peerIndex) => {
      const peer = readPeer(
        reader,
        peerNode,
        peerIndex,
        peerNode ? reader.span(peerNode) : nullItemSpan(reader, peerSeq, peerIndex, policy.object.file.text),
      );
      if (peer) peers.push(peer);
    });
    const ports: PortSpec[] = [];
    reader.items(portSeq).forEach((portNode, portIndex) => {
      const port = readPort(reader, portNode, portIndex, reader.span((portNode ?? portSeq) as Node));
      if (port) ports.push(port);
    });
    into.push({
      policy,
      direction,
      index,
      span,
      anyPeer: (peerSeq?.items.length ?? 0) === 0,
      peers,
      peersSpan: peersField?.span,
      anyPort: (portSeq?.items.length ?? 0) === 0,
      ports,
      portsSpan: portsField?.span,
    });
  });
}

/** A null list item (`-` alone, `- null`): its text, or its dash when nothing follows it. */
function nullItemSpan(reader: FieldReader, seq: ReturnType<FieldReader['seq']>, index: number, text: string): Span {
  const item = seq?.items[index] as Node | undefined;
  const range = item && 'range' in item ? item.range : undefined;
  if (!seq || !range) return reader.span(seq as Node);
  if (range[1] > range[0]) return { uri: reader.uri, start: range[0], end: range[1] };
  const dash = text.lastIndexOf('-', range[0]);
  return dash >= 0 ? { uri: reader.uri, start: dash, end: dash + 1 } : reader.span(seq);
}

function readPeer(reader: FieldReader, node: Node | undefined, index: number, span: Span): Peer | undefined {
  const map = node === undefined ? undefined : reader.itemMap(node, 'peer', span);
  if (node !== undefined && !map) return undefined;
  const podSelectorField = reader.field(map, 'podSelector');
  const namespaceSelectorField = reader.field(map, 'namespaceSelector');
  const ipBlockField = reader.field(map, 'ipBlock');
  const podSelector = readSelector(reader, podSelectorField);
  const namespaceSelector = readSelector(reader, namespaceSelectorField);
  const ipBlock = readIpBlock(reader, ipBlockField);
  if (!podSelectorField && !namespaceSelectorField && !ipBlockField) {
    reader.findings.push({
      code: 'NR002',
      severity: 'error',
      message:
        'An empty peer is refused by the API server. To allow every source or destination, leave out `from`/`to`; for every pod of every namespace, write `namespaceSelector: {}`.',
      span,
      rejectedByApi: true,
    });
    return undefined;
  }
  if (ipBlockField && (podSelectorField || namespaceSelectorField)) {
    reader.findings.push({
      code: 'NR001',
      severity: 'error',
      message:
        'A peer cannot combine `ipBlock` with `podSelector` or `namespaceSelector`; the API server refuses it. Write them as two peers (two list items), which allows either.',
      span: ipBlockField.keySpan,
      rejectedByApi: true,
    });
  }
  return { index, span, podSelector, namespaceSelector, ipBlock };
}

function readIpBlock(reader: FieldReader, field: Field | undefined): IpBlock | undefined {
  const map = reader.map(field);
  if (!field || !map) return undefined;
  const cidrField = reader.field(map, 'cidr');
  const cidrText = reader.string(cidrField);
  const cidrSpan = cidrField?.value ? reader.span(cidrField.value) : field.keySpan;
  let cidr: Cidr | undefined;
  if (cidrText === undefined) {
    if (!cidrField || cidrField.value === undefined) {
      reader.findings.push({
        code: 'NR009',
        severity: 'error',
        message: '`ipBlock` needs a `cidr`. The API server refuses this peer.',
        span: field.keySpan,
        rejectedByApi: true,
      });
    }
  } else {
    cidr = readCidr(reader, cidrText, cidrSpan, 'cidr');
  }
  const exceptSeq = reader.seq(reader.field(map, 'except'));
  const except: ExceptEntry[] = [];
  for (const item of reader.items(exceptSeq)) {
    const span = reader.span((item ?? exceptSeq) as Node);
    if (!item || !isScalar(item) || typeof item.value !== 'string') {
      reader.typeError({ key: 'except', value: item, span }, 'a list of CIDR strings');
      continue;
    }
    const exceptCidr = readCidr(reader, item.value, span, 'except');
    if (exceptCidr && cidr && !isStrictlyInside(cidrRange(exceptCidr), cidrRange(cidr))) {
      reader.findings.push({
        code: 'NR009',
        severity: 'error',
        message: `\`${item.value}\` is not strictly inside \`${cidrText}\`; every \`except\` entry must be a smaller range within \`cidr\`. The API server refuses this peer.`,
        span,
        rejectedByApi: true,
      });
    }
    except.push({ text: item.value, cidr: exceptCidr, span });
  }
  const ranges = cidr
    ? subtractRanges(
        [cidrRange(cidr)],
        except.flatMap((e) => (e.cidr ? [cidrRange(e.cidr)] : [])),
      )
    : [];
  return { cidrText: cidrText ?? '', cidr, except, ranges, span: field.span, cidrSpan };
}

function readCidr(reader: FieldReader, text: string, span: Span, what: 'cidr' | 'except'): Cidr | undefined {
  const parsed = parseCidr(text.trim());
  if (!parsed.ok) {
    reader.findings.push({
      code: 'NR009',
      severity: 'error',
      message: `\`${text}\` is not a valid CIDR: ${parsed.reason}. The API server refuses this peer.`,
      span,
      rejectedByApi: true,
      data: { what },
    });
    return undefined;
  }
  const cidr = parsed.cidr;
  if (cidr.leadingZeros || cidr.hostBitsSet) {
    const network = formatCidr(cidr.family, cidr.network, cidr.prefix);
    const host = formatCidr(cidr.family, cidr.address, cidr.family === 4 ? 32 : 128);
    reader.findings.push({
      code: 'NR010',
      severity: 'error',
      message: cidr.leadingZeros
        ? `\`${text}\` has an octet with a leading zero, which some parsers read as octal and recent API servers refuse; write \`${network}\`.`
        : `\`${text}\` has host bits set: it means the network \`${network}\`, not the single address. Write \`${network}\` for the network or \`${host}\` for the host.`,
      span,
      rejectedByApi: cidr.leadingZeros,
      data: { network, host: cidr.hostBitsSet ? host : undefined },
    });
  }
  return cidr;
}

/** An IANA service name: lowercase letters, digits and '-', 1-15 characters, a letter, no '-' at the ends or twice in a row. */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a port name cannot be empty';
  if (name.length > 15) return `"${name}" is longer than 15 characters`;
  if (!/^[a-z0-9-]+$/.test(name)) return `"${name}" may contain only lowercase letters, digits and '-'`;
  if (!/[a-z]/.test(name)) return `"${name}" needs at least one letter (a number must be written without quotes)`;
  if (name.startsWith('-') || name.endsWith('-')) return `"${name}" cannot start or end with '-'`;
  if (name.includes('--')) return `"${name}" cannot contain '--'`;
  return undefined;
}

function readPort(reader: FieldReader, node: Node | undefined, index: number, span: Span): PortSpec | undefined {
  const map = node === undefined ? undefined : reader.itemMap(node, 'ports', span);
  if (node !== undefined && !map) return undefined;
  const protocolField = reader.field(map, 'protocol');
  const portField = reader.field(map, 'port');
  const endPortField = reader.field(map, 'endPort');
  const protocolText = reader.string(protocolField);
  const port = reader.intOrString(portField);
  const endPort = reader.int(endPortField);
  let protocol: Protocol = 'TCP';
  if (protocolText !== undefined) {
    const upper = protocolText.toUpperCase();
    if (!isProtocol(protocolText)) {
      reader.findings.push({
        code: 'NR008',
        severity: 'error',
        message: isProtocol(upper)
          ? `\`${protocolText}\` must be written exactly \`${upper}\`. The API server refuses this policy.`
          : `\`${protocolText}\` is not a protocol; use \`TCP\`, \`UDP\` or \`SCTP\`. The API server refuses this policy.`,
        span: reader.span(protocolField!.value!),
        rejectedByApi: true,
        data: isProtocol(upper) ? { replacement: upper } : undefined,
      });
      if (!isProtocol(upper)) return undefined;
    }
    protocol = upper as Protocol;
  }
  const portSpan = portField?.value ? reader.span(portField.value) : undefined;
  if (typeof port === 'number' && (port < MIN_PORT || port > MAX_PORT)) {
    reader.findings.push({
      code: 'NR007',
      severity: 'error',
      message: `Port ${port} is outside 1-65535. The API server refuses this policy.`,
      span: portSpan!,
      rejectedByApi: true,
    });
  } else if (typeof port === 'string') {
    const problem = portNameProblem(port);
    if (problem) {
      const suggestion = /^\d+$/.test(port.trim()) ? undefined : port.trim().toLowerCase();
      reader.findings.push({
        code: 'NR007',
        severity: 'error',
        message: /^\d+$/.test(port.trim())
          ? `"${port}" is a string, so it names a port rather than numbering it, and a port name needs a letter. Write the number without quotes. The API server refuses this policy.`
          : `Invalid port name: ${problem}. The API server refuses this policy.`,
        span: portSpan!,
        rejectedByApi: true,
        data: /^\d+$/.test(port.trim())
          ? { number: Number(port.trim()) }
          : suggestion && !portNameProblem(suggestion)
            ? { replacement: suggestion }
            : undefined,
      });
    }
  }
  if (endPort !== undefined) {
    const endSpan = reader.span(endPortField!.value!);
    if (port === undefined) {
      reader.findings.push({
        code: 'NR004',
        severity: 'error',
        message: '`endPort` needs a `port` to start the range. The API server refuses this policy.',
        span: endPortField!.span,
        rejectedByApi: true,
        data: { endPort },
      });
    } else if (typeof port === 'string') {
      reader.findings.push({
        code: 'NR005',
        severity: 'error',
        message: `\`endPort\` works only with a numbered \`port\`, not the name "${port}". The API server refuses this policy.`,
        span: endPortField!.span,
        rejectedByApi: true,
        data: { portName: port },
      });
    } else if (endPort < port) {
      reader.findings.push({
        code: 'NR006',
        severity: 'error',
        message: `\`endPort\` ${endPort} is lower than \`port\` ${port}, so the range ${port}-${endPort} is empty. The API server refuses this policy.`,
        span: endSpan,
        rejectedByApi: true,
        data: { port, endPort },
      });
    }
    if (endPort < MIN_PORT || endPort > MAX_PORT) {
      reader.findings.push({
        code: 'NR007',
        severity: 'error',
        message: `\`endPort\` ${endPort} is outside 1-65535. The API server refuses this policy.`,
        span: endSpan,
        rejectedByApi: true,
      });
    }
  }
  return {
    index,
    span,
    protocol,
    protocolExplicit: protocolText !== undefined,
    port,
    endPort: typeof port === 'number' ? endPort : undefined,
    portSpan,
  };
}
