/**
 * Cheap questions the editor asks before loading the cluster client: which kubeconfig
 * context would be used (for the status bar; no request, no client library), and whether
 * this Node.js can run the client library at all.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { findKubeconfigFiles, type KubeconfigOptions } from '../cluster/kubeconfig';

/** The context a probe would use, or why there is none. Never throws. */
export function currentContextName(options: KubeconfigOptions = {}): {
  context?: string;
  files: string[];
  problem?: string;
} {
  let files: string[];
  try {
    files = findKubeconfigFiles(options);
  } catch (error) {
    return { files: [], problem: (error as Error).message };
  }
  if (options.context) return { context: options.context, files };
  for (const file of files) {
    try {
      const doc = parse(readFileSync(file, 'utf8')) as { 'current-context'?: unknown } | null;
      const name = doc?.['current-context'];
      if (typeof name === 'string' && name) return { context: name, files };
    } catch {
      return { files, problem: `The kubeconfig ${file} cannot be read.` };
    }
  }
  return { files, problem: `The kubeconfig (${files.join(', ')}) has no current context.` };
}

const MINIMUM_NODE = [22, 19] as const;

/** Why cluster features cannot run on this Node.js (the client library needs 22.19+), or undefined. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1])) return undefined;
  return `Testing reachability in a cluster needs Node.js ${MINIMUM_NODE.join('.')} or newer; this runs Node.js ${version.replace(/^v/, '')}.`;
}
