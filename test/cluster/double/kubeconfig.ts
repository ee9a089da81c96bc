// Writes a kubeconfig that points the unmodified client library at the double: plain HTTP
// (which the library only accepts with `insecure-skip-tls-verify: true`) and a token user,
// so every request carries `Authorization: Bearer <token>`.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token: string;
  context?: string;
  namespace?: string;
  /** Extra contexts (each with its own cluster and user) for context-selection tests. */
  extraContexts?: { context: string; server: string; token: string }[];
  /** Leave `current-context` out. */
  noCurrentContext?: boolean;
  /** Where to write it (default: a fresh temporary directory). */
  file?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const main = { context: options.context ?? 'double', server: options.server, token: options.token };
  const all = [main, ...(options.extraContexts ?? [])];
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: all.map((c) => ({
      name: `${c.context}-cluster`,
      cluster: { server: c.server, 'insecure-skip-tls-verify': true },
    })),
    users: all.map((c) => ({ name: `${c.context}-user`, user: { token: c.token } })),
    contexts: all.map((c) => ({
      name: c.context,
      context: {
        cluster: `${c.context}-cluster`,
        user: `${c.context}-user`,
        ...(c === main && options.namespace ? { namespace: options.namespace } : {}),
      },
    })),
    ...(options.noCurrentContext ? {} : { 'current-context': main.context }),
  });
}

/** Writes the kubeconfig and returns its path. */
export function writeKubeconfig(options: KubeconfigOptions): string {
  const file = options.file ?? path.join(mkdtempSync(path.join(tmpdir(), 'netreach-kube-')), 'config');
  writeFileSync(file, kubeconfigYaml(options), { mode: 0o600 });
  return file;
}
