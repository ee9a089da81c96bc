/**
 * Reading workloads (Pod, Deployment, ReplicaSet, ReplicationController, StatefulSet,
 * DaemonSet, Job, CronJob) and Services: the pod labels, container ports, host network
 * and pod IPs that NetworkPolicy semantics depend on.
 */
import { isScalar, type Node, type YAMLMap } from 'yaml';
import { FieldReader } from '../ast';
import type { Finding, Span } from '../findings';
import { parseIp } from '../ip';
import type { ContainerPort, PodAddress, ServicePort, WorkloadKind } from '../model';
import type { KubeObject } from '../objects';
import { isProtocol, type Protocol } from '../ports';
import { DEFAULT_NAMESPACE } from './policy';

export interface WorkloadManifest {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Map<string, string>;
  readonly labelsSpan: Span;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  readonly addresses: readonly PodAddress[];
  /** A Pod's controller (`ownerReferences` with `controller: true`, not a Node). */
  readonly owner?: { readonly kind: string | undefined; readonly name: string };
  readonly object: KubeObject;
}

export interface Reading<T> {
  readonly value: T | undefined;
  readonly findings: readonly Finding[];
}

/** Where the pod template sits in each kind. */
function podTemplate(reader: FieldReader, object: KubeObject, kind: WorkloadKind): YAMLMap | undefined {
  if (kind === 'Pod') return object.map;
  const spec = reader.map(reader.field(object.map, 'spec'));
  if (kind === 'CronJob') {
    const jobTemplate = reader.map(reader.field(spec, 'jobTemplate'));
    const jobSpec = reader.map(reader.field(jobTemplate, 'spec'));
    return reader.map(reader.field(jobSpec, 'template'));
  }
  return reader.map(reader.field(spec, 'template'));
}

export function readWorkload(object: KubeObject, kind: WorkloadKind): Reading<WorkloadManifest> {
  const reader = new FieldReader(object.file, object.document.document, `${kind} "${object.name ?? ''}"`);
  const metadata = reader.map(reader.field(object.map, 'metadata'));
  const namespace = object.assignedNamespace ?? reader.string(reader.field(metadata, 'namespace')) ?? DEFAULT_NAMESPACE;
  const template = podTemplate(reader, object, kind);
  const templateMetadata = kind === 'Pod' ? metadata : reader.map(reader.field(template, 'metadata'));
  const labelsField = reader.field(templateMetadata, 'labels');
  const labelEntries = reader.stringMap(labelsField);
  const labels = new Map<string, string>();
  for (const [key, entry] of labelEntries ?? []) labels.set(key, entry.value);
  const podSpec = reader.map(reader.field(template, 'spec'));
  const ports = readContainerPorts(reader, podSpec);
  const hostNetwork = reader.bool(reader.field(podSpec, 'hostNetwork')) ?? false;

  let owner: WorkloadManifest['owner'];
  const addresses: PodAddress[] = [];
  if (kind === 'Pod') {
    for (const item of reader.items(reader.seq(reader.field(metadata, 'ownerReferences')))) {
      if (!item || !('items' in item)) continue;
      const ref = item as YAMLMap;
      const isController = reader.bool(reader.field(ref, 'controller'));
      const ownerKind = reader.string(reader.field(ref, 'kind'));
      const ownerName = reader.string(reader.field(ref, 'name'));
      if (isController && ownerName && ownerKind !== 'Node') owner = { kind: ownerKind, name: ownerName };
    }
    const status = reader.map(reader.field(object.map, 'status'));
    const seen = new Set<string>();
    const addAddress = (text: string | undefined) => {
      const parsed = text ? parseIp(text.trim()) : undefined;
      if (text && parsed && !seen.has(text)) {
        seen.add(text);
        addresses.push({ family: parsed.family, value: parsed.value, text });
      }
    };
    addAddress(reader.string(reader.field(status, 'podIP')));
    for (const item of reader.items(reader.seq(reader.field(status, 'podIPs')))) {
      if (item && 'items' in item) addAddress(reader.string(reader.field(item as YAMLMap, 'ip')));
    }
  }
  const labelsSpan = labelsField?.span ?? (templateMetadata ? reader.span(templateMetadata) : object.nameSpan);
  if (reader.broken || !object.name) {
    return { value: undefined, findings: reader.findings };
  }
  return {
    value: {
      kind,
      name: object.name,
      namespace,
      labels,
      labelsSpan,
      ports,
      hostNetwork,
      addresses,
      owner,
      object,
    },
    findings: reader.findings,
  };
}

function readContainerPorts(reader: FieldReader, podSpec: YAMLMap | undefined): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const containerLists: [YAMLMap, boolean][] = [];
  for (const item of reader.items(reader.seq(reader.field(podSpec, 'containers')))) {
    const container = reader.itemMap(item, 'containers', reader.span((item ?? podSpec) as Node));
    if (container) containerLists.push([container, true]);
  }
  // Sidecar init containers (restartPolicy: Always) keep running and serve their ports.
  for (const item of reader.items(reader.seq(reader.field(podSpec, 'initContainers')))) {
    const container = reader.itemMap(item, 'initContainers', reader.span((item ?? podSpec) as Node));
    if (container) containerLists.push([container, false]);
  }
  for (const [container, regular] of containerLists) {
    const restartPolicy = reader.string(reader.field(container, 'restartPolicy'));
    if (!regular && restartPolicy !== 'Always') continue;
    const containerName = reader.string(reader.field(container, 'name')) ?? '';
    for (const item of reader.items(reader.seq(reader.field(container, 'ports')))) {
      const span = reader.span((item ?? container) as Node);
      const portMap = reader.itemMap(item, 'ports', span);
      if (!portMap) continue;
      const portField = reader.field(portMap, 'containerPort');
      const number = reader.int(portField);
      const name = reader.string(reader.field(portMap, 'name'));
      const protocolText = reader.string(reader.field(portMap, 'protocol'));
      if (number === undefined) {
        if (!portField) {
          // The API server refuses it too, but one bad entry should not hide the whole workload.
          reader.findings.push({
            code: 'NR014',
            severity: 'error',
            message: `This port has no \`containerPort\` (required; keys are case-sensitive). The API server refuses it; netreach ignores this port entry.`,
            span,
            rejectedByApi: true,
          });
        }
        continue;
      }
      const protocol: Protocol = protocolText !== undefined && isProtocol(protocolText) ? protocolText : 'TCP';
      ports.push({ name, port: number, protocol, container: containerName, span });
    }
  }
  return ports;
}

export interface ServiceManifest {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Map<string, string> | undefined;
  readonly ports: readonly ServicePort[];
  readonly type: string;
  readonly externalTrafficPolicy: string | undefined;
  readonly clusterIPs: readonly string[];
  readonly publishNotReadyAddresses: boolean;
  readonly object: KubeObject;
}

export function readService(object: KubeObject): Reading<ServiceManifest> {
  const reader = new FieldReader(object.file, object.document.document, `Service "${object.name ?? ''}"`);
  const metadata = reader.map(reader.field(object.map, 'metadata'));
  const namespace = object.assignedNamespace ?? reader.string(reader.field(metadata, 'namespace')) ?? DEFAULT_NAMESPACE;
  const spec = reader.map(reader.field(object.map, 'spec'));
  const selectorEntries = reader.stringMap(reader.field(spec, 'selector'));
  const selector = selectorEntries ? new Map([...selectorEntries].map(([k, e]) => [k, e.value])) : undefined;
  const ports: ServicePort[] = [];
  for (const item of reader.items(reader.seq(reader.field(spec, 'ports')))) {
    const span = reader.span((item ?? spec) as Node);
    const portMap = reader.itemMap(item, 'ports', span);
    if (!portMap) continue;
    const port = reader.int(reader.field(portMap, 'port'));
    const targetPort = reader.intOrString(reader.field(portMap, 'targetPort'));
    const name = reader.string(reader.field(portMap, 'name'));
    const protocolText = reader.string(reader.field(portMap, 'protocol'));
    if (port === undefined) continue;
    const protocol: Protocol = protocolText !== undefined && isProtocol(protocolText) ? protocolText : 'TCP';
    // targetPort defaults to port.
    ports.push({ name, port, targetPort: targetPort ?? port, protocol, span });
  }
  const clusterIPs: string[] = [];
  const clusterIP = reader.string(reader.field(spec, 'clusterIP'));
  if (clusterIP && clusterIP !== 'None') clusterIPs.push(clusterIP);
  for (const item of reader.items(reader.seq(reader.field(spec, 'clusterIPs')))) {
    if (
      item &&
      isScalar(item) &&
      typeof item.value === 'string' &&
      item.value !== 'None' &&
      !clusterIPs.includes(item.value)
    ) {
      clusterIPs.push(item.value);
    }
  }
  const value: ServiceManifest | undefined =
    reader.broken || !object.name
      ? undefined
      : {
          name: object.name,
          namespace,
          selector,
          ports,
          type: reader.string(reader.field(spec, 'type')) ?? 'ClusterIP',
          externalTrafficPolicy: reader.string(reader.field(spec, 'externalTrafficPolicy')),
          clusterIPs,
          publishNotReadyAddresses: reader.bool(reader.field(spec, 'publishNotReadyAddresses')) ?? false,
          object,
        };
  return { value, findings: reader.findings };
}

export interface NamespaceManifest {
  readonly name: string;
  readonly labels: Map<string, string>;
  readonly object: KubeObject;
}

export function readNamespace(object: KubeObject): Reading<NamespaceManifest> {
  const reader = new FieldReader(object.file, object.document.document, `Namespace "${object.name ?? ''}"`);
  const metadata = reader.map(reader.field(object.map, 'metadata'));
  const labels = new Map<string, string>();
  for (const [key, entry] of reader.stringMap(reader.field(metadata, 'labels')) ?? []) labels.set(key, entry.value);
  const value = reader.broken || !object.name ? undefined : { name: object.name, labels, object };
  return { value, findings: reader.findings };
}
