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

const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Whether the file is a kustomization (which needs no `kind`). */
export function isKustomizationFile(uri: string): boolean {
  return KUSTOMIZATION_FILE.test(uri);
}

/** The URIs of the files among `files` that their kustomizations use as patches. */
export function kustomizePatchFiles(files: readonly ParsedFile[]): ReadonlySet<string> {
  const wanted = new Set<string>();
  for (const file of files) {
    if (!isKustomizationFile(file.uri)) continue;
    for (const path of patchPaths(file)) wanted.add(normalize(resolve(file.uri, path)));
  }
  const patches = new Set<string>();
  if (wanted.size === 0) return patches;
  for (const file of files) if (wanted.has(normalize(file.uri))) patches.add(file.uri);
  return patches;
}

/**
 * The namespace each file gets from the kustomization that lists it directly under
 * `resources` with a `namespace:` (kustomize's namespace transformer sets it on every
 * object, over `metadata.namespace`). Files listed by kustomizations that disagree, and
 * bases reached through a folder (several overlays may give them different namespaces),
 * keep their own.
 */
export function kustomizeNamespaces(files: readonly ParsedFile[]): ReadonlyMap<string, string> {
  const wanted = new Map<string, string | null>();
  for (const file of files) {
    if (!isKustomizationFile(file.uri)) continue;
    const { namespace, resources } = kustomizationOf(file);
    if (namespace === undefined) continue;
    for (const resource of resources) {
      const key = normalize(resolve(file.uri, resource));
      const previous = wanted.get(key);
      wanted.set(key, previous === undefined || previous === namespace ? namespace : null);
    }
  }
  const assigned = new Map<string, string>();
  if (wanted.size === 0) return assigned;
  for (const file of files) {
    const namespace = wanted.get(normalize(file.uri));
    if (namespace) assigned.set(file.uri, namespace);
  }
  return assigned;
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

function patchPaths(file: ParsedFile): readonly string[] {
  return kustomizationOf(file).patches;
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

/**
 * One spelling per file: `.` and `..` removed, and percent-encoding decoded (URIs encode
 * what kustomization paths write plainly).
 */
function normalize(uri: string): string {
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
