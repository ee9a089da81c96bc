// Lazy access to @kubernetes/client-node. It is ESM-only and our bundles are CommonJS, and
// it needs Node 22.19+ (2.x crashes at import on older Node), so nothing imports it at the
// top level: the engine, the language server and the CLI start without it, and only a
// cluster command pays for loading it.

import type * as K8s from '@kubernetes/client-node';
import type { ObjectSerializer as Serializer } from '@kubernetes/client-node/dist/serializer.js';
import { ClusterError } from './errors';

export type ClientLibrary = typeof K8s;

export interface Loaded {
  k8s: ClientLibrary;
  /**
   * The library's model serializer. Not exported from the package root, but it is the only
   * way back from the typed models (`_from`, Date objects) to the wire shape the engine reads.
   */
  serializer: typeof Serializer;
}

const MINIMUM = [22, 19];

let loading: Promise<Loaded> | undefined;

export function loadClientLibrary(): Promise<Loaded> {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
    return Promise.reject(
      new ClusterError(
        'unsupported',
        `Talking to a cluster needs Node.js ${MINIMUM.join('.')} or newer; this is Node.js ${process.versions.node}.`,
      ),
    );
  }
  loading ??= Promise.all([
    import('@kubernetes/client-node'),
    import('@kubernetes/client-node/dist/serializer.js'),
  ]).then(([k8s, serializer]) => ({ k8s, serializer: serializer.ObjectSerializer }));
  return loading;
}
