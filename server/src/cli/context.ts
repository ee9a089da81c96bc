/**
 * What every CLI command shares: loading the workspace from paths, locations as
 * `file:line`, endpoint names, and the output streams.
 */
import {
  buildWorkspace,
  positionAt,
  resolveEndpoint as resolveEngineEndpoint,
  type Endpoint,
  type Span,
  type Workspace,
} from '../engine';
import { InputError, UsageError } from './errors';
import { collectManifestPaths, displayPath, readSources } from './files';

export interface Streams {
  out(text: string): void;
  err(text: string): void;
}

export const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function loadWorkspace(paths: readonly string[]): Workspace {
  return buildWorkspace(readSources(collectManifestPaths(paths)));
}

export function requireKubernetesObjects(workspace: Workspace): void {
  if (workspace.objectCount === 0) {
    throw new InputError(
      'no Kubernetes objects found in the given paths (a manifest needs `apiVersion` and `kind`)',
      leftOutNotes(workspace),
    );
  }
}

/** What was left out of the analysis on purpose (templates, kustomize patches), and why. */
export function leftOutNotes(workspace: Workspace): string[] {
  const notes: string[] = [];
  const names = (uris: readonly string[]) =>
    uris.slice(0, 3).map(displayPath).join(', ') + (uris.length > 3 ? ', ...' : '');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const templates = [...workspace.templates];
  if (templates.length > 0) {
    notes.push(
      `left out ${plural(templates.length, 'template file')} ({{ }}, e.g. Helm): ${names(templates)}; ` +
        'render them first, e.g. `helm template CHART | netreach lint -`',
    );
  }
  const patches = [...workspace.patches];
  if (patches.length > 0) {
    notes.push(
      `left out ${plural(patches.length, 'kustomize patch file')}: ${names(patches)}; ` +
        'they change objects defined elsewhere (`kustomize build DIR | netreach lint -` checks the result)',
    );
  }
  return notes;
}

export function formatLocation(workspace: Workspace, span: Span): string {
  const file = workspace.files.get(span.uri)?.file;
  if (!file) return displayPath(span.uri);
  const { line, character } = positionAt(file, span.start);
  return `${displayPath(span.uri)}:${line + 1}:${character + 1}`;
}

/** Resolves `--from`/`--to` values, or stops with a usage error naming the flag. */
export function resolveEndpoint(workspace: Workspace, text: string, flag: string): Endpoint {
  const resolution = resolveEngineEndpoint(workspace, text);
  if (!resolution.ok) throw new UsageError(`${flag} ${text}: ${resolution.message}`);
  return resolution.endpoint;
}
