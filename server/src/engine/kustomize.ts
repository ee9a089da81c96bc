/**
 * Kustomize patches are not objects: a patch file names a Deployment to change
 * (`spec.replicas: 3`), it does not define a second one. The files a kustomization lists
 * under `patches`, `patchesStrategicMerge` or `patchesJson6902` are left out of the
 * model, so they neither replace the object they patch (with no labels and no ports)
 * nor count as a duplicate of it.
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

const pathsOf = new WeakMap<ParsedFile, readonly string[]>();

/** The relative paths of the patch files a kustomization file lists (read once per parsed file). */
function patchPaths(file: ParsedFile): readonly string[] {
  let paths = pathsOf.get(file);
  if (!paths) pathsOf.set(file, (paths = readPatchPaths(file)));
  return paths;
}

function readPatchPaths(file: ParsedFile): string[] {
  const paths: string[] = [];
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
      if (typeof entry === 'string' && !entry.includes('\n')) paths.push(entry);
    }
    for (const entry of [...list(kustomization.patches), ...list(kustomization.patchesJson6902)]) {
      const path = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).path : undefined;
      if (typeof path === 'string') paths.push(path);
    }
  }
  return paths;
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
