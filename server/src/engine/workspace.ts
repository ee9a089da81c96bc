/**
 * The workspace model: every manifest file read into Namespaces, workloads, Services
 * and NetworkPolicies, with the findings of reading them.
 *
 * Reading is per file (`readFile`), so an editor can re-read only the file that changed;
 * `assembleWorkspace` then joins the files: it folds controlled pods into their owner,
 * gives every namespace its automatic name label and reports duplicates.
 */
import type { Finding } from './findings';
import { NAMESPACE_NAME_LABEL } from './labels';
import {
  isWorkloadKind,
  type ContainerPort,
  type Namespace,
  type PodAddress,
  type Policy,
  type Service,
  type Workload,
} from './model';
import { findObjects, type KubeObject } from './objects';
import { readPolicy } from './read/policy';
import {
  readNamespace,
  readService,
  readWorkload,
  type NamespaceManifest,
  type ServiceManifest,
  type WorkloadManifest,
} from './read/workload';
import { kustomizeFacts } from './kustomize';
import { isTemplate } from './templates';
import { parseFile, type ParsedFile, type SourceFile } from './yamlFile';

/** What one file contributes. */
export interface FileModel {
  readonly file: ParsedFile;
  /** Kubernetes objects of the file's applied documents (any kind). */
  readonly objects: readonly KubeObject[];
  readonly namespaces: readonly NamespaceManifest[];
  readonly workloads: readonly WorkloadManifest[];
  readonly services: readonly ServiceManifest[];
  readonly policies: readonly Policy[];
  /** Syntax errors and findings of reading each object. */
  readonly findings: readonly Finding[];
  /** A template (Helm, Go, Jinja): left out, with no objects and no findings, until rendered. */
  readonly template?: boolean;
}

/**
 * Reads one file into the model. `assignedNamespace`: the namespace a kustomization
 * gives the file's objects (see kustomize.ts); their `metadata.namespace` otherwise.
 */
export function readFile(source: SourceFile | ParsedFile, assignedNamespace?: string): FileModel {
  const file = 'documents' in source ? source : parseFile(source);
  if (isTemplate(file.uri, file.text, file.syntaxFindings.length === 0)) {
    return {
      file,
      objects: [],
      namespaces: [],
      workloads: [],
      services: [],
      policies: [],
      findings: [],
      template: true,
    };
  }
  const findings: Finding[] = [...file.syntaxFindings];
  const objects: KubeObject[] = [];
  const namespaces: NamespaceManifest[] = [];
  const workloads: WorkloadManifest[] = [];
  const services: ServiceManifest[] = [];
  const policies: Policy[] = [];
  for (const found of findObjects(file)) {
    const object = assignedNamespace === undefined ? found : { ...found, assignedNamespace };
    // Broken documents still get their own checks, but stay out of the model.
    const applied = object.document.applied;
    if (applied) objects.push(object);
    if (object.kind === 'NetworkPolicy') {
      const reading = readPolicy(object);
      findings.push(...reading.findings);
      if (reading.policy && applied) policies.push(reading.policy);
    } else if (isWorkloadKind(object.kind)) {
      const reading = readWorkload(object, object.kind);
      findings.push(...reading.findings);
      if (reading.value && applied) workloads.push(reading.value);
    } else if (object.kind === 'Service') {
      const reading = readService(object);
      findings.push(...reading.findings);
      if (reading.value && applied) services.push(reading.value);
    } else if (object.kind === 'Namespace') {
      const reading = readNamespace(object);
      findings.push(...reading.findings);
      if (reading.value && applied) namespaces.push(reading.value);
    }
  }
  return { file, objects, namespaces, workloads, services, policies, findings };
}

export interface Workspace {
  readonly files: ReadonlyMap<string, FileModel>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  readonly workloads: readonly Workload[];
  readonly services: readonly Service[];
  readonly policies: readonly Policy[];
  /** Findings of every file, plus those that need the whole workspace (duplicates). */
  readonly findings: readonly Finding[];
  /** Number of Kubernetes objects of any kind in applied documents. */
  readonly objectCount: number;
  /** Files a kustomization uses as patches: left out of the model (see kustomize.ts). */
  readonly patches: ReadonlySet<string>;
  /** Template files (`{{ }}`): left out until rendered (see templates.ts). */
  readonly templates: ReadonlySet<string>;
}

export function buildWorkspace(sources: readonly (SourceFile | ParsedFile | FileModel)[]): Workspace {
  return assembleWorkspace(sources.map((s) => ('policies' in s ? s : readFile(s))));
}

const renamespaced = new WeakMap<FileModel, { readonly namespace: string; readonly model: FileModel }>();

/** The file's model with the namespace a kustomization assigns (read again once per model and namespace). */
function withNamespace(model: FileModel, namespace: string | undefined): FileModel {
  // Usually the manifests already say the same namespace: nothing to read again.
  if (namespace === undefined || model.template || model.objects.every((o) => o.namespace === namespace)) return model;
  const known = renamespaced.get(model);
  if (known?.namespace === namespace) return known.model;
  const result = readFile(model.file, namespace);
  renamespaced.set(model, { namespace, model: result });
  return result;
}

export function assembleWorkspace(allFileModels: readonly FileModel[]): Workspace {
  const files = new Map(allFileModels.map((m) => [m.file.uri, m]));
  const { patches, namespaces: assigned } = kustomizeFacts(allFileModels.map((m) => m.file));
  const fileModels = allFileModels
    .filter((m) => !patches.has(m.file.uri))
    .map((m) => withNamespace(m, assigned.get(m.file.uri)));
  for (const model of fileModels) files.set(model.file.uri, model);
  const findings: Finding[] = fileModels.flatMap((m) => m.findings);

  const namespaceManifests = lastWins(
    fileModels.flatMap((m) => m.namespaces),
    (n) => n.name,
    (n) => n.object,
    'Namespace',
    findings,
  );
  const policies = lastWins(
    fileModels.flatMap((m) => m.policies),
    (p) => p.id,
    (p) => p.object,
    'NetworkPolicy',
    findings,
  );
  const serviceManifests = lastWins(
    fileModels.flatMap((m) => m.services),
    (s) => remembered(s, () => `${s.namespace}/${s.name}`),
    (s) => s.object,
    'Service',
    findings,
  );
  const workloadManifests = lastWins(
    fileModels.flatMap((m) => m.workloads),
    (w) => remembered(w, () => `${w.kind}/${w.namespace}/${w.name}`),
    (w) => w.object,
    (w) => w.kind,
    findings,
  );

  const workloads = foldWorkloads(workloadManifests);

  const namespaces = new Map<string, Namespace>();
  const addNamespace = (name: string, labels: ReadonlyMap<string, string> = new Map(), object?: KubeObject) => {
    const withName = new Map(labels);
    // Set by the API server on every namespace since Kubernetes 1.22.
    withName.set(NAMESPACE_NAME_LABEL, name);
    namespaces.set(name, { name, labels: withName, object });
  };
  for (const manifest of namespaceManifests) addNamespace(manifest.name, manifest.labels, manifest.object);
  for (const name of [...workloads.map((w) => w.namespace), ...policies.map((p) => p.namespace)]) {
    if (!namespaces.has(name)) addNamespace(name);
  }

  const services: Service[] = serviceManifests.map(serviceOf);
  const objectCount = fileModels.reduce((sum, m) => sum + m.objects.length, 0);
  const templates = new Set(allFileModels.filter((m) => m.template).map((m) => m.file.uri));
  return { files, namespaces, workloads, services, policies, findings, objectCount, patches, templates };
}

/**
 * Keeps the last definition of each identity (the last `kubectl apply` wins) and reports
 * every duplicate with a pointer to the other definition.
 */
function lastWins<T>(
  items: readonly T[],
  identity: (item: T) => string,
  objectOf: (item: T) => KubeObject,
  kind: string | ((item: T) => string),
  findings: Finding[],
): T[] {
  const byIdentity = new Map<string, T>();
  for (const item of items) {
    const id = identity(item);
    const previous = byIdentity.get(id);
    if (previous !== undefined) {
      const kindName = typeof kind === 'string' ? kind : kind(item);
      const a = objectOf(previous);
      const b = objectOf(item);
      const name = `${a.namespace ?? ''}${a.namespace ? '/' : ''}${a.name}`;
      for (const [here, there] of [
        [a, b],
        [b, a],
      ]) {
        findings.push({
          code: 'NR013',
          severity: 'error',
          message: `${kindName} "${name}" is defined twice in the workspace; whichever is applied last replaces the other.`,
          span: here.nameSpan,
          related: [{ span: there.nameSpan, message: `the other definition of ${kindName} "${name}"` }],
          data: { kind: kindName },
        });
      }
      byIdentity.delete(id);
    }
    byIdentity.set(id, item);
  }
  return [...byIdentity.values()];
}

/*
 * Joining is redone after every edit in the editor, over thousands of unchanged files:
 * what is built from a file's manifests alone is kept with them (weakly), so an unchanged
 * file's Services and workloads are the same objects as in the previous workspace. The
 * result is the same either way; the index and the checks then find their per-object
 * answers again instead of recomputing them.
 */
const services = new WeakMap<ServiceManifest, Service>();
const folded = new WeakMap<
  WorkloadManifest,
  { readonly members: readonly WorkloadManifest[]; readonly workload: Workload }
>();

/** Identity strings per manifest (a string keeps its hash, so the Maps that join files find it faster). */
const identities = new WeakMap<object, string>();

function remembered(item: object, make: () => string): string {
  let id = identities.get(item);
  if (id === undefined) identities.set(item, (id = make()));
  return id;
}

/** `namespace/name[Kind]` of the workload a manifest belongs to (its owner's, for controlled pods). */
const ownerIds = new WeakMap<WorkloadManifest, string>();

function ownerId(manifest: WorkloadManifest): string {
  const kind = manifest.owner ? (manifest.owner.kind ?? 'Pod') : manifest.kind;
  const name = manifest.owner ? manifest.owner.name : manifest.name;
  const id = `${manifest.namespace}/${name}[${kind}]`;
  ownerIds.set(manifest, id);
  return id;
}

function serviceOf(manifest: ServiceManifest): Service {
  let service = services.get(manifest);
  if (!service) {
    service = { id: `${manifest.namespace}/${manifest.name}`, ...manifest };
    services.set(manifest, service);
  }
  return service;
}

/**
 * Pods controlled by an owner appear as that owner (`ns/replicaset-name[ReplicaSet]`);
 * all pods of one owner become one workload. An owner reference without a kind keeps
 * the owner's name and the kind Pod.
 */
function foldWorkloads(manifests: readonly WorkloadManifest[]): Workload[] {
  const byId = new Map<string, WorkloadManifest[]>();
  for (const manifest of manifests) {
    const id = ownerIds.get(manifest) ?? ownerId(manifest);
    const members = byId.get(id);
    if (members) members.push(manifest);
    else byId.set(id, [manifest]);
  }
  const workloads: Workload[] = [];
  for (const [id, members] of byId) {
    const known = folded.get(members[0]);
    if (known && known.members.length === members.length && known.members.every((m, i) => m === members[i])) {
      workloads.push(known.workload);
      continue;
    }
    const workload = foldOne(id, members);
    folded.set(members[0], { members, workload });
    workloads.push(workload);
  }
  return workloads;
}

function foldOne(id: string, members: readonly WorkloadManifest[]): Workload {
  const first = members[0];
  const kind = first.owner ? (first.owner.kind ?? 'Pod') : first.kind;
  const name = first.owner ? first.owner.name : first.name;
  const labelSets = new Map<string, ReadonlyMap<string, string>>();
  for (const member of members) {
    const key = [...member.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).join('\u0000');
    if (!labelSets.has(key)) labelSets.set(key, member.labels);
  }
  return {
    id,
    kind,
    name,
    namespace: first.namespace,
    labels: first.labels,
    ports: uniquePorts(members.flatMap((m) => m.ports)),
    hostNetwork: members.some((m) => m.hostNetwork),
    addresses: uniqueAddresses(members.flatMap((m) => m.addresses)),
    objects: members.map((m) => m.object),
    labelsSpan: first.labelsSpan,
    podLabelSets: [...labelSets.values()],
  };
}

function uniquePorts(ports: readonly ContainerPort[]): ContainerPort[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.name ?? ''}/${p.port}/${p.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueAddresses(addresses: readonly PodAddress[]): PodAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => !seen.has(a.text) && seen.add(a.text));
}
