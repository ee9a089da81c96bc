// The small interface between netreach and @kubernetes/client-node. Everything above it
// (preflight, runner, the CLI, the VS Code command) sees wire-shape objects and
// ClusterErrors, never the library's typed models or exceptions, so the library can be
// loaded lazily, swapped, or upgraded in one place.

import type * as K8s from '@kubernetes/client-node';
import { classifyError, type ErrorContext, type Permission } from './errors';
import { loadKubeconfig, type ClusterTarget, type KubeconfigOptions } from './kubeconfig';
import { loadClientLibrary, type Loaded } from './lib';
import type { Kind, WireObject } from './types';

export type { ClusterTarget } from './kubeconfig';

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends RequestOptions {
  /** Absent: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends RequestOptions {
  namespace: string;
  labelSelector?: string;
  /** Start after this version (from a list); events before it are not replayed. */
  resourceVersion?: string;
  /** Ask the server to end the watch after this long (client-node 2.x also ends it after 30 s idle). */
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface KubeClient {
  /** Where this client connects; shown to the user for confirmation. */
  readonly target: ClusterTarget;
  list(kind: Kind, options?: ListOptions): Promise<{ items: WireObject[]; resourceVersion: string }>;
  /** Undefined when the object does not exist. */
  get(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    options?: RequestOptions,
  ): Promise<WireObject | undefined>;
  create(
    kind: Kind,
    namespace: string,
    body: WireObject,
    options?: RequestOptions & { dryRun?: boolean },
  ): Promise<WireObject>;
  /** False when the object was already gone. */
  delete(kind: Kind, namespace: string, name: string, options?: RequestOptions): Promise<boolean>;
  deleteCollection(kind: Kind, namespace: string, labelSelector: string, options?: RequestOptions): Promise<void>;
  /**
   * Streams events until the server ends the watch (resolves) or it fails (rejects with a
   * ClusterError). Objects are wire-shaped. An `ERROR` event carries a Status (e.g. 410 Gone:
   * re-list).
   */
  watch(kind: Kind, options: WatchOptions, onEvent: (type: WatchEventType, object: WireObject) => void): Promise<void>;
  /** SelfSubjectAccessReview: may the current user do this? */
  canI(permission: Permission, options?: RequestOptions): Promise<boolean>;
}

export interface ConnectOptions extends KubeconfigOptions {
  /** Per-request timeout (default 30 s); watches are bounded by timeoutSeconds instead. */
  requestTimeoutMs?: number;
}

type ApiName = 'CoreV1Api' | 'AppsV1Api' | 'BatchV1Api' | 'NetworkingV1Api' | 'PolicyV1Api';

interface KindInfo {
  api: ApiName;
  /** The model name the library uses (V1Pod...). */
  model: string;
  apiVersion: string;
  group: string;
  plural: string;
  namespaced: boolean;
}

const KINDS: Record<Kind, KindInfo> = {
  Namespace: {
    api: 'CoreV1Api',
    model: 'V1Namespace',
    apiVersion: 'v1',
    group: '',
    plural: 'namespaces',
    namespaced: false,
  },
  Pod: { api: 'CoreV1Api', model: 'V1Pod', apiVersion: 'v1', group: '', plural: 'pods', namespaced: true },
  Service: { api: 'CoreV1Api', model: 'V1Service', apiVersion: 'v1', group: '', plural: 'services', namespaced: true },
  ConfigMap: {
    api: 'CoreV1Api',
    model: 'V1ConfigMap',
    apiVersion: 'v1',
    group: '',
    plural: 'configmaps',
    namespaced: true,
  },
  ReplicationController: {
    api: 'CoreV1Api',
    model: 'V1ReplicationController',
    apiVersion: 'v1',
    group: '',
    plural: 'replicationcontrollers',
    namespaced: true,
  },
  NetworkPolicy: {
    api: 'NetworkingV1Api',
    model: 'V1NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    group: 'networking.k8s.io',
    plural: 'networkpolicies',
    namespaced: true,
  },
  ReplicaSet: {
    api: 'AppsV1Api',
    model: 'V1ReplicaSet',
    apiVersion: 'apps/v1',
    group: 'apps',
    plural: 'replicasets',
    namespaced: true,
  },
  DaemonSet: {
    api: 'AppsV1Api',
    model: 'V1DaemonSet',
    apiVersion: 'apps/v1',
    group: 'apps',
    plural: 'daemonsets',
    namespaced: true,
  },
  Job: { api: 'BatchV1Api', model: 'V1Job', apiVersion: 'batch/v1', group: 'batch', plural: 'jobs', namespaced: true },
  PodDisruptionBudget: {
    api: 'PolicyV1Api',
    model: 'V1PodDisruptionBudget',
    apiVersion: 'policy/v1',
    group: 'policy',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
};

export function kindInfo(kind: Kind): Readonly<KindInfo> {
  return KINDS[kind];
}

/** The generated API methods all take one parameter object and an optional per-call configuration. */
type ApiMethod = (param: Record<string, unknown>, options?: unknown) => Promise<unknown>;

function scope(namespace: string | undefined): string {
  return namespace ? `in namespace "${namespace}"` : 'in all namespaces';
}

class LibraryClient implements KubeClient {
  private readonly apis = new Map<ApiName, Record<string, ApiMethod>>();

  constructor(
    private readonly lib: Loaded,
    private readonly kc: K8s.KubeConfig,
    readonly target: ClusterTarget,
    private readonly requestTimeoutMs: number,
  ) {}

  private method(kind: Kind, name: string): ApiMethod {
    const info = KINDS[kind];
    let api = this.apis.get(info.api);
    if (!api) {
      // The union of API classes defeats makeApiClient's generic; each is an ApiConstructor.
      const ctor = this.lib.k8s[info.api] as unknown as typeof K8s.CoreV1Api;
      api = this.kc.makeApiClient(ctor) as unknown as Record<string, ApiMethod>;
      this.apis.set(info.api, api);
    }
    const fn = api[name];
    if (typeof fn !== 'function') throw new Error(`client library has no ${info.api}.${name}`);
    return fn.bind(api);
  }

  /**
   * Per-call options: a middleware that gives the request an abort signal combining the
   * caller's cancellation and our per-request timeout ("append" keeps the library's own
   * User-Agent middleware).
   */
  private callOptions(signal: AbortSignal | undefined): unknown {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const { Observable } = this.lib.k8s;
    return {
      middleware: [
        {
          pre: (ctx: K8s.RequestContext) => {
            ctx.setSignal(combined);
            return new Observable(Promise.resolve(ctx));
          },
          post: (rsp: K8s.ResponseContext) => new Observable(Promise.resolve(rsp)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private context(action: string, permission: Permission, signal?: AbortSignal): ErrorContext {
    return { action, context: this.target.context, server: this.target.server, permission, signal };
  }

  private toWire(kind: Kind, typed: unknown): WireObject {
    const info = KINDS[kind];
    const wire = this.lib.serializer.serialize(typed, info.model) as WireObject;
    // The serializer leaves absent fields as `undefined` keys (so `'ipBlock' in peer` would be
    // true for every peer); a JSON round trip yields exactly what the API server sent.
    const plain = JSON.parse(JSON.stringify(wire)) as WireObject;
    return { apiVersion: info.apiVersion, kind, ...plain };
  }

  private async call<T>(
    kind: Kind,
    verb: string,
    namespace: string | undefined,
    signal: AbortSignal | undefined,
    run: (options: unknown) => Promise<T>,
  ): Promise<T> {
    const info = KINDS[kind];
    const permission: Permission = {
      verb,
      resource: info.plural,
      group: info.group,
      ...(info.namespaced && namespace ? { namespace } : {}),
    };
    try {
      return await run(this.callOptions(signal));
    } catch (error) {
      throw classifyError(error, this.context(`${verb} ${info.plural} ${scope(namespace)}`, permission, signal));
    }
  }

  async list(kind: Kind, options: ListOptions = {}): Promise<{ items: WireObject[]; resourceVersion: string }> {
    const info = KINDS[kind];
    const { namespace, labelSelector, fieldSelector, signal } = options;
    const name = !info.namespaced ? `list${kind}` : namespace ? `listNamespaced${kind}` : `list${kind}ForAllNamespaces`;
    const list = (await this.call(kind, 'list', namespace, signal, (o) =>
      this.method(kind, name)({ namespace, labelSelector, fieldSelector }, o),
    )) as { items?: unknown[]; metadata?: { resourceVersion?: string } };
    return {
      items: (list.items ?? []).map((item) => this.toWire(kind, item)),
      resourceVersion: list.metadata?.resourceVersion ?? '',
    };
  }

  async get(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    options: RequestOptions = {},
  ): Promise<WireObject | undefined> {
    const info = KINDS[kind];
    try {
      const found = await this.call(kind, 'get', namespace, options.signal, (o) =>
        this.method(kind, info.namespaced ? `readNamespaced${kind}` : `read${kind}`)({ name, namespace }, o),
      );
      return this.toWire(kind, found);
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not-found') return undefined;
      throw error;
    }
  }

  async create(
    kind: Kind,
    namespace: string,
    body: WireObject,
    options: RequestOptions & { dryRun?: boolean } = {},
  ): Promise<WireObject> {
    const typed: unknown = this.lib.serializer.deserialize(body, KINDS[kind].model);
    const created = await this.call(kind, 'create', namespace, options.signal, (o) =>
      this.method(kind, `createNamespaced${kind}`)(
        { namespace, body: typed, ...(options.dryRun ? { dryRun: 'All' } : {}) },
        o,
      ),
    );
    return this.toWire(kind, created);
  }

  async delete(kind: Kind, namespace: string, name: string, options: RequestOptions = {}): Promise<boolean> {
    try {
      await this.call(kind, 'delete', namespace, options.signal, (o) =>
        // Grace 0: probe pods hold no state. Background propagation: deleting the run's
        // ConfigMap lets the garbage collector remove any pod we failed to delete ourselves.
        this.method(kind, `deleteNamespaced${kind}`)(
          { name, namespace, gracePeriodSeconds: 0, propagationPolicy: 'Background' },
          o,
        ),
      );
      return true;
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not-found') return false;
      throw error;
    }
  }

  async deleteCollection(
    kind: Kind,
    namespace: string,
    labelSelector: string,
    options: RequestOptions = {},
  ): Promise<void> {
    await this.call(kind, 'deletecollection', namespace, options.signal, (o) =>
      this.method(kind, `deleteCollectionNamespaced${kind}`)(
        { namespace, labelSelector, gracePeriodSeconds: 0, propagationPolicy: 'Background' },
        o,
      ),
    );
  }

  watch(kind: Kind, options: WatchOptions, onEvent: (type: WatchEventType, object: WireObject) => void): Promise<void> {
    const info = KINDS[kind];
    const prefix = info.group ? `/apis/${info.apiVersion}` : '/api/v1';
    const path = `${prefix}/namespaces/${encodeURIComponent(options.namespace)}/${info.plural}`;
    const permission: Permission = {
      verb: 'watch',
      resource: info.plural,
      group: info.group,
      namespace: options.namespace,
    };
    const ctx = this.context(`watch ${info.plural} ${scope(options.namespace)}`, permission, options.signal);
    const watcher = new this.lib.k8s.Watch(this.kc);
    return new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      let settled = false;
      const finish = (error: unknown) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        if (error) reject(classifyError(error, ctx));
        else resolve();
      };
      const onAbort = () => finish(options.signal?.reason ?? new DOMException('aborted', 'AbortError'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const query: Record<string, string | number> = {};
      if (options.labelSelector) query.labelSelector = options.labelSelector;
      if (options.resourceVersion) query.resourceVersion = options.resourceVersion;
      if (options.timeoutSeconds) query.timeoutSeconds = options.timeoutSeconds;
      watcher
        .watch(
          path,
          query,
          (type: string, object: unknown) => {
            if (!settled) onEvent(type as WatchEventType, object as WireObject);
          },
          (error: unknown) => finish(error),
        )
        .then(
          (c) => {
            controller = c;
            if (settled) c.abort();
          },
          (error: unknown) => finish(error),
        );
      if (options.signal?.aborted) onAbort();
    });
  }

  async canI(permission: Permission, options: RequestOptions = {}): Promise<boolean> {
    const authz = this.kc.makeApiClient(this.lib.k8s.AuthorizationV1Api);
    try {
      const review = await authz.createSelfSubjectAccessReview(
        {
          body: {
            spec: {
              resourceAttributes: {
                verb: permission.verb,
                resource: permission.resource,
                group: permission.group,
                ...(permission.namespace ? { namespace: permission.namespace } : {}),
              },
            },
          },
        },
        this.callOptions(options.signal) as K8s.ConfigurationOptions,
      );
      return review.status?.allowed === true;
    } catch (error) {
      throw classifyError(
        error,
        this.context(
          'check permissions (SelfSubjectAccessReview)',
          {
            verb: 'create',
            resource: 'selfsubjectaccessreviews',
            group: 'authorization.k8s.io',
          },
          options.signal,
        ),
      );
    }
  }
}

/**
 * Loads the kubeconfig and the client library. Throws a ClusterError (`no-kubeconfig`,
 * `bad-kubeconfig`, `unsupported`); makes no request, so showing `client.target` for the
 * user to confirm comes before any traffic.
 */
export async function connect(options: ConnectOptions = {}): Promise<KubeClient> {
  const lib = await loadClientLibrary();
  const { kc, target } = loadKubeconfig(lib.k8s, options);
  return new LibraryClient(lib, kc, target, options.requestTimeoutMs ?? 30_000);
}

export interface ClusterObjects {
  namespaces: WireObject[];
  pods: WireObject[];
  services: WireObject[];
  networkPolicies: WireObject[];
}

/**
 * Reads what the engine needs to model the live cluster, as wire-shape objects with `kind`
 * and `apiVersion` set on every item (lists omit them).
 */
export async function readClusterObjects(
  client: KubeClient,
  options: RequestOptions & { namespace?: string } = {},
): Promise<ClusterObjects> {
  const { namespace, signal } = options;
  const [namespaces, pods, services, networkPolicies] = await Promise.all([
    namespace
      ? client.get('Namespace', undefined, namespace, { signal }).then((n) => (n ? [n] : []))
      : client.list('Namespace', { signal }).then((l) => l.items),
    client.list('Pod', { namespace, signal }).then((l) => l.items),
    client.list('Service', { namespace, signal }).then((l) => l.items),
    client.list('NetworkPolicy', { namespace, signal }).then((l) => l.items),
  ]);
  return { namespaces, pods, services, networkPolicies };
}
