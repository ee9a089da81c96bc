// Finding and loading the kubeconfig the way kubectl does (--kubeconfig, then KUBECONFIG,
// then ~/.kube/config), but refusing to guess: when nothing is found, the client library's
// loadFromDefault() silently falls back to http://localhost:8080, which would send probes to
// whatever listens there. We report the missing kubeconfig instead.

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors';
import type { ClientLibrary } from './lib';

export interface KubeconfigOptions {
  /** An explicit kubeconfig path (--kubeconfig). */
  kubeconfig?: string;
  /** A context name (--context); default: the kubeconfig's current-context. */
  context?: string;
  /** For tests: the environment and home directory to consult. */
  env?: Record<string, string | undefined>;
  homeDir?: string;
}

/** Where we are about to connect: safe to show (no credentials). */
export interface ClusterTarget {
  context: string;
  cluster: string;
  /** The API server URL, without any user:password part. */
  server: string;
  /** The kubeconfig user entry's name (not a credential). */
  user: string;
  /** The context's default namespace, if any. */
  namespace?: string;
  /** The kubeconfig files that were read, or "in-cluster". */
  source: string[];
}

/** The kubeconfig files to read, in kubectl's order of precedence. */
export function findKubeconfigFiles(options: KubeconfigOptions = {}): string[] {
  const env = options.env ?? process.env;
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) {
      throw new ClusterError(
        'no-kubeconfig',
        `The kubeconfig file ${options.kubeconfig} (given with --kubeconfig) does not exist.`,
      );
    }
    return [options.kubeconfig];
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(path.delimiter).filter(Boolean);
    // kubectl skips missing entries of KUBECONFIG; so do we, but all of them missing is an error.
    const present = listed.filter((f) => existsSync(f));
    if (present.length === 0) {
      throw new ClusterError(
        'no-kubeconfig',
        `KUBECONFIG is set to "${env.KUBECONFIG}", but no such file exists. Fix KUBECONFIG or pass --kubeconfig.`,
      );
    }
    return present;
  }
  const home = options.homeDir ?? env.HOME ?? env.USERPROFILE ?? os.homedir();
  const standard = path.join(home, '.kube', 'config');
  if (existsSync(standard)) return [standard];
  throw new ClusterError(
    'no-kubeconfig',
    `No kubeconfig found: --kubeconfig was not given, KUBECONFIG is not set and ${standard} does not exist. ` +
      "Without one the Kubernetes client would quietly try http://localhost:8080; netreach won't guess. " +
      "Create one with your cluster's tool (for example `kind export kubeconfig`, " +
      '`gcloud container clusters get-credentials`, `aws eks update-kubeconfig`) or pass --kubeconfig.',
  );
}

/** Strips credentials and trailing slashes from a server URL. */
export function safeServerUrl(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return '<invalid server URL>';
  }
}

function loadFile(k8s: ClientLibrary, file: string): KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    // YAML errors quote the offending lines, which may hold a token: report the position only.
    const e = error as { name?: string; mark?: { line?: number; column?: number }; code?: string; message?: string };
    if (e.code === 'ENOENT' || e.code === 'EACCES') {
      throw new ClusterError('bad-kubeconfig', `Cannot read the kubeconfig ${file} (${e.code}).`);
    }
    if (e.name === 'YAMLException') {
      const at = e.mark?.line !== undefined ? ` at line ${e.mark.line + 1}` : '';
      throw new ClusterError('bad-kubeconfig', `The kubeconfig ${file} is not valid YAML${at}.`);
    }
    throw new ClusterError('bad-kubeconfig', `The kubeconfig ${file} is not usable: ${e.message ?? 'unknown error'}.`);
  }
  return kc;
}

/** Merges like kubectl: the first file that defines a name (or the current context) wins. */
function merge(k8s: ClientLibrary, configs: KubeConfig[]): KubeConfig {
  if (configs.length === 1) return configs[0];
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const merged = new k8s.KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.map((c) => c.getClusters())),
    users: firstByName(configs.map((c) => c.getUsers())),
    contexts: firstByName(configs.map((c) => c.getContexts())),
    currentContext: configs.map((c) => c.getCurrentContext()).find(Boolean) ?? '',
  });
  return merged;
}

export function loadKubeconfig(
  k8s: ClientLibrary,
  options: KubeconfigOptions = {},
): { kc: KubeConfig; target: ClusterTarget } {
  const files = findKubeconfigFiles(options);
  const kc = merge(
    k8s,
    files.map((f) => loadFile(k8s, f)),
  );
  const available = kc.getContexts().map((c) => c.name);
  const listing = available.length ? ` Available contexts: ${available.join(', ')}.` : ' It defines no contexts.';
  const contextName = options.context ?? kc.getCurrentContext();
  if (!contextName) {
    throw new ClusterError(
      'bad-kubeconfig',
      `The kubeconfig (${files.join(', ')}) has no current context; pick one with --context.${listing}`,
    );
  }
  const context = kc.getContextObject(contextName);
  if (!context) {
    throw new ClusterError('bad-kubeconfig', `There is no context "${contextName}" in ${files.join(', ')}.${listing}`);
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new ClusterError(
      'bad-kubeconfig',
      `Context "${contextName}" refers to cluster "${context.cluster}", which is missing or has no server.`,
    );
  }
  return {
    kc,
    target: {
      context: contextName,
      cluster: cluster.name,
      server: safeServerUrl(cluster.server),
      user: context.user,
      ...(context.namespace ? { namespace: context.namespace } : {}),
      source: files,
    },
  };
}
