/**
 * What kustomizations say about the files of the workspace, without rendering them:
 *
 * - Patches are not objects: a patch file names a Deployment to change (`spec.replicas:
 *   3`), it does not define a second one. The files a kustomization lists under
 *   `patches`, `patchesStrategicMerge` or `patchesJson6902` are left out of the model, so
 *   they neither replace the object they patch (with no labels and no ports) nor count as
 *   a duplicate of it.
 * - A kustomization's `namespace:` is the namespace of the objects of the files it lists
 *   under `resources`, whatever their `metadata.namespace` says.
 */
import type { ParsedFile } from './yamlFile';

const KUSTOMIZATION_NAMES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Whether the file is a kustomization (which needs no `kind`). Asked for every file on every edit. */
export function isKustomizationFile(uri: string): boolean {
  return KUSTOMIZATION_NAMES.has(uri.slice(uri.lastIndexOf('/') + 1));
}

export interface KustomizeFacts {
  /** The files the kustomizations use as patches. */
  readonly patches: ReadonlySet<string>;
  /**
   * The namespace each file gets from the kustomization that lists it directly under
   * `resources` with a `namespace:` (kustomize's namespace transformer sets it on every
   * object, over `metadata.namespace`). Files listed by kustomizations that disagree, and
   * bases reached through a folder (several overlays may give them different
   * namespaces), keep their own.
   */
  readonly namespaces: ReadonlyMap<string, string>;
}

/** What the kustomizations among `files` say about the others. */
export function kustomizeFacts(files: readonly ParsedFile[]): KustomizeFacts {
  const kustomizations = files.filter((file) => isKustomizationFile(file.uri));
  const wanted = wantedBy(kustomizations);
  const patches = new Set<string>();
  const namespaces = new Map<string, string>();
  if (wanted.patches.size === 0 && wanted.namespaces.size === 0) return { patches, namespaces };
  for (const file of files) {
    const key = normalize(file.uri);
    if (wanted.patches.has(key)) patches.add(file.uri);
    const namespace = wanted.namespaces.get(key);
    if (namespace) namespaces.set(file.uri, namespace);
  }
  return { patches, namespaces };
}

interface Wanted {
  readonly patches: ReadonlySet<string>;
  /** null: kustomizations disagree. */
  readonly namespaces: ReadonlyMap<string, string | null>;
}

/** The last answer of `wantedBy`, kept while the kustomization files are the same parsed files (most edits). */
let lastWanted: { readonly kustomizations: readonly ParsedFile[]; readonly wanted: Wanted } | undefined;

/** The normalized paths the kustomizations name as patches, and as resources with a namespace. */
function wantedBy(kustomizations: readonly ParsedFile[]): Wanted {
  if (
    lastWanted?.kustomizations.length === kustomizations.length &&
    lastWanted.kustomizations.every((file, i) => file === kustomizations[i])
  ) {
    return lastWanted.wanted;
  }
  const patches = new Set<string>();
  const namespaces = new Map<string, string | null>();
  for (const file of kustomizations) {
    const kustomization = kustomizationOf(file);
    for (const path of kustomization.patches) patches.add(normalize(resolve(file.uri, path)));
    const namespace = kustomization.namespace;
    if (namespace === undefined) continue;
    for (const resource of kustomization.resources) {
      const key = normalize(resolve(file.uri, resource));
      const previous = namespaces.get(key);
      namespaces.set(key, previous === undefined || previous === namespace ? namespace : null);
    }
  }
  const wanted = { patches, namespaces };
  lastWanted = { kustomizations, wanted };
  return wanted;
}

interface Kustomization {
  /** Relative paths of the patch files. */
  readonly patches: readonly string[];
  /** Relative paths of the resources (files or folders). */
  readonly resources: readonly string[];
  readonly namespace: string | undefined;
}

const read = new WeakMap<ParsedFile, Kustomization>();

/** What a kustomization file says (read once per parsed file). */
function kustomizationOf(file: ParsedFile): Kustomization {
  let kustomization = read.get(file);
  if (!kustomization) read.set(file, (kustomization = readKustomization(file)));
  return kustomization;
}

function readKustomization(file: ParsedFile): Kustomization {
  const patches: string[] = [];
  const resources: string[] = [];
  let namespace: string | undefined;
  for (const { document } of file.documents) {
    let content: unknown;
    try {
      content = document.toJS();
    } catch {
      continue;
    }
    if (!content || typeof content !== 'object') continue;
    const kustomization = content as Record<string, unknown>;
    // A string is a file path, unless it is an inline patch (YAML on several lines).
    for (const entry of list(kustomization.patchesStrategicMerge)) {
      if (typeof entry === 'string' && !entry.includes('\n')) patches.push(entry);
    }
    for (const entry of [...list(kustomization.patches), ...list(kustomization.patchesJson6902)]) {
      const path = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).path : undefined;
      if (typeof path === 'string') patches.push(path);
    }
    for (const entry of list(kustomization.resources)) if (typeof entry === 'string') resources.push(entry);
    if (typeof kustomization.namespace === 'string' && kustomization.namespace) namespace = kustomization.namespace;
  }
  return { patches, resources, namespace };
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `relative` resolved against the folder of `uri` (a path or a URI). */
function resolve(uri: string, relative: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1) + relative;
}

const normalized = new Map<string, string>();

/**
 * One spelling per file: `.` and `..` removed, and percent-encoding decoded (URIs encode
 * what kustomization paths write plainly). Remembered: every edit asks again for every file.
 */
function normalize(uri: string): string {
  let result = normalized.get(uri);
  if (result === undefined) {
    if (normalized.size > 100_000) normalized.clear();
    normalized.set(uri, (result = spell(uri)));
  }
  return result;
}

function spell(uri: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)?.[0] ?? '';
  const parts: string[] = [];
  for (const part of uri.slice(scheme.length).split('/')) {
    const last = parts[parts.length - 1];
    if (part === '.' || (part === '' && parts.length > 0)) continue;
    if (part === '..' && last !== undefined && last !== '..' && last !== '') parts.pop();
    else parts.push(part);
  }
  const path = scheme + parts.join('/');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
