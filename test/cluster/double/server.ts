// The Kubernetes API test double: a real HTTP server on 127.0.0.1 that speaks enough of the
// API's JSON for the unmodified @kubernetes/client-node to drive it through a kubeconfig.
//
// It records every request and every object it receives (tests check the safety properties
// of created pods from what actually crossed the wire), simulates pod lifecycles with short
// real timers, answers SelfSubjectAccessReviews from the scenario's RBAC, and injects faults.
//
// Deliberate simplifications: deletes are immediate (no graceful termination, no finalizers),
// and there is no garbage collector, so a test sees exactly what the client deleted.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ruleFires, ruleMatches, type FaultRule, type RequestInfo, type Verb } from './faults';
import { PodLifecycle } from './podLifecycle';
import { checkPodSecurity, type PodSecurityLevel } from './podSecurity';
import { apiVersionOf, findResource, resourceByKind, type ResourceInfo } from './resources';
import { DEFAULT_TIMING, type Attributes, type Scenario, type Timing } from './scenario';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors';
import { Store } from './store';
import { clone, type KubeObject, type Pod, type Status, type WatchEvent } from './types';

export const DEFAULT_TOKEN = 'double-token-7f3a9c';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: Verb | undefined;
  resource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  /** The Authorization header was present and correct. */
  authenticated: boolean;
  status?: number;
  /** The connection was destroyed instead of answered. */
  dropped?: boolean;
  body?: unknown;
}

export interface ReceivedObject {
  verb: 'create';
  resource: string;
  namespace: string | undefined;
  dryRun: boolean;
  /** What the request carried, before defaulting. */
  object: KubeObject;
  /** The status the double answered with. */
  status?: number;
}

interface Route {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function statusBody(code: number, reason: string, message: string, details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }
}

export class KubeApiDouble {
  readonly store = new Store();
  readonly requests: RecordedRequest[] = [];
  readonly received: ReceivedObject[] = [];
  readonly token: string;
  readonly timing: Timing;
  private readonly faultRules: FaultRule[];
  private readonly lifecycle: PodLifecycle;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchResponses = new Set<http.ServerResponse>();
  private readonly changeListeners = new Set<() => void>();
  private readonly receivedBy = new WeakMap<RecordedRequest, ReceivedObject>();
  private down = false;
  private port = 0;

  private constructor(readonly scenario: Scenario) {
    this.token = scenario.token ?? DEFAULT_TOKEN;
    this.timing = { ...DEFAULT_TIMING, ...scenario.timing };
    this.faultRules = [...(scenario.faults ?? [])];
    this.lifecycle = new PodLifecycle(this.store, scenario, this.timing);
    this.store.subscribe(() => this.changed());
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, undefined, 500, statusBody(500, 'InternalError', String(error)));
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket: Socket) => {
      if (this.down) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.seed();
  }

  static async start(scenario: Scenario = {}): Promise<KubeApiDouble> {
    const double = new KubeApiDouble(scenario);
    double.server.listen(0, '127.0.0.1');
    await once(double.server, 'listening');
    double.port = (double.server.address() as AddressInfo).port;
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get user(): string {
    return this.scenario.user ?? 'alice';
  }

  async close(): Promise<void> {
    this.lifecycle.stop();
    for (const res of this.watchResponses) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test controls -------------------------------------------------------------------

  addFault(rule: FaultRule): FaultRule {
    this.faultRules.push(rule);
    return rule;
  }

  clearFaults(): void {
    this.faultRules.length = 0;
  }

  /** While down, every connection is destroyed on arrival, like an API server that is restarting. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const socket of this.sockets) socket.destroy();
  }

  /** Ends every open watch stream abruptly (the client must re-list and re-watch). */
  dropWatches(): void {
    for (const res of this.watchResponses) res.destroy();
  }

  /** Forgets the event history: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /** Stores an object directly, as if some other client had created it. */
  put(object: KubeObject): KubeObject {
    const info = resourceByKind(object.kind ?? '');
    if (!info) throw new Error(`the double does not serve kind ${object.kind}`);
    const copy = clone(object);
    if (info.plural === 'pods') {
      (copy as Pod).status ??= { phase: 'Running' };
    }
    if (info.plural === 'namespaces') {
      copy.metadata = {
        ...copy.metadata,
        labels: { ...copy.metadata?.labels, 'kubernetes.io/metadata.name': copy.metadata?.name ?? '' },
      };
      copy.status ??= { phase: 'Active' };
    }
    return this.store.create(info, copy, new Date());
  }

  objects(resource: string, namespace?: string): KubeObject[] {
    return this.store.list(resource, namespace);
  }

  pods(namespace?: string): Pod[] {
    return this.store.list('pods', namespace) as Pod[];
  }

  /** Pods the double currently stores that carry netreach's managed-by label. */
  probePods(): Pod[] {
    return this.pods().filter((p) => p.metadata.labels?.['app.kubernetes.io/managed-by'] === 'netreach');
  }

  /** Every pod body received in a create request, dry-run or not, admitted or not. */
  receivedPods(): Pod[] {
    return this.received.filter((r) => r.resource === 'pods').map((r) => r.object as Pod);
  }

  requestsFor(filter: Partial<Pick<RecordedRequest, 'verb' | 'resource' | 'namespace'>>): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        (filter.verb === undefined || r.verb === filter.verb) &&
        (filter.resource === undefined || r.resource === filter.resource) &&
        (filter.namespace === undefined || r.namespace === filter.namespace),
    );
  }

  /**
   * Resolves once `predicate` holds, re-checking whenever the stored objects change or a
   * request completes. Tests wait with this instead of sleeping.
   */
  waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changeListeners.delete(check);
      };
      this.changeListeners.add(check);
    });
  }

  private changed(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  // ---- seeding -------------------------------------------------------------------------

  private seed(): void {
    for (const ns of this.scenario.namespaces ?? []) {
      const { name, labels } = typeof ns === 'string' ? { name: ns, labels: {} } : ns;
      this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    }
    for (const object of this.scenario.objects ?? []) this.put(object);
  }

  // ---- request handling ----------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }

    const route = this.route(url.pathname);
    const verb = route ? this.verbOf(method, route, query) : undefined;
    const entry: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      verb,
      resource: route?.info.plural,
      namespace: route?.namespace ?? (route?.info.plural === 'namespaces' ? route.name : undefined),
      name: route?.name,
      authenticated: req.headers.authorization === `Bearer ${this.token}`,
      ...(body !== undefined ? { body } : {}),
    };
    this.requests.push(entry);
    this.changed();

    if (this.down) {
      entry.dropped = true;
      req.socket.destroy();
      this.changed();
      return;
    }

    const info: RequestInfo = {
      method,
      path: url.pathname,
      verb,
      resource: entry.resource,
      namespace: route?.namespace,
      name: route?.name,
      dryRun: query.dryRun === 'All',
      body,
    };
    if (method === 'POST' && route && body && typeof body === 'object' && !route.info.review) {
      const received: ReceivedObject = {
        verb: 'create',
        resource: route.info.plural,
        namespace: route.namespace,
        dryRun: info.dryRun,
        object: clone(body as KubeObject),
      };
      this.received.push(received);
      this.receivedBy.set(entry, received);
    }
    const rule = this.faultRules.find((r) => ruleMatches(r, info) && ruleFires(r));
    if (rule) {
      if (rule.action === 'drop') {
        entry.dropped = true;
        req.socket.destroy();
        this.changed();
        return;
      }
      if (rule.action === 'hang') return;
      const { status, reason, message, noBody } = rule.action;
      if (noBody) {
        this.send(res, entry, status, undefined);
      } else {
        this.send(
          res,
          entry,
          status,
          statusBody(status, reason ?? 'Unknown', message ?? http.STATUS_CODES[status] ?? ''),
        );
      }
      return;
    }

    if (!entry.authenticated) {
      this.send(res, entry, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    try {
      if (url.pathname === '/version') {
        this.send(res, entry, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-double', platform: 'linux/amd64' });
        return;
      }
      if (!route || !verb) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      if (!route.info.review) this.authorize(verb, route);
      await this.dispatch(req, res, entry, route, verb, query, body);
    } catch (error) {
      if (error instanceof HttpError) {
        this.send(res, entry, error.code, statusBody(error.code, error.reason, error.message, error.details));
      } else if (error instanceof SelectorError) {
        this.send(res, entry, 400, statusBody(400, 'BadRequest', error.message));
      } else {
        throw error;
      }
    }
  }

  private route(pathname: string): Route | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1]) {
      [group, version, rest] = ['', parts[1], parts.slice(2)];
    } else if (parts[0] === 'apis' && parts[1] && parts[2]) {
      [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const info = findResource(group, version, rest[0] ?? '');
    if (!info || rest.length > 3) return undefined;
    if (namespace !== undefined && !info.namespaced) return undefined;
    return { info, namespace, name: rest[1], subresource: rest[2] };
  }

  private verbOf(method: string, route: Route, query: Record<string, string>): Verb | undefined {
    if (route.subresource) return undefined;
    const collection = route.name === undefined;
    switch (method) {
      case 'GET':
        if (!collection) return 'get';
        return query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
      case 'POST':
        return collection ? 'create' : undefined;
      case 'DELETE':
        return collection ? 'deletecollection' : 'delete';
      default:
        return undefined;
    }
  }

  private isAllowed(attributes: Attributes): boolean {
    return this.scenario.authorize ? this.scenario.authorize(attributes) : true;
  }

  /** RBAC with the authorizer's exact wording. */
  private authorize(verb: Verb, route: Route): void {
    const { info } = route;
    const namespace = info.plural === 'namespaces' ? undefined : route.namespace;
    if (this.isAllowed({ verb, resource: info.plural, group: info.group, namespace, name: route.name })) return;
    const subject = route.name ? `${info.plural} "${route.name}"` : info.plural;
    const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw new HttpError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${this.user}" cannot ${verb} resource "${info.plural}" in API group "${info.group}" ${where}`,
      { name: route.name, group: info.group, kind: info.plural },
    );
  }

  private async dispatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RecordedRequest,
    route: Route,
    verb: Verb,
    query: Record<string, string>,
    body: unknown,
  ): Promise<void> {
    const { info } = route;
    const namespace = route.namespace;
    switch (verb) {
      case 'get': {
        const found = this.store.get(info.plural, info.namespaced ? namespace : undefined, route.name!);
        if (!found) throw this.notFound(info, route.name!);
        this.send(res, entry, 200, found);
        return;
      }
      case 'list': {
        const items = this.select(info, namespace, query).map((o) => {
          const { apiVersion: _a, kind: _k, ...rest } = o;
          return rest;
        });
        this.send(res, entry, 200, {
          kind: `${info.kind}List`,
          apiVersion: apiVersionOf(info),
          metadata: { resourceVersion: this.store.resourceVersion },
          items,
        });
        return;
      }
      case 'watch':
        this.watch(req, res, entry, info, namespace, query);
        return;
      case 'create':
        if (info.review) {
          this.send(res, entry, 201, this.review(body));
          return;
        }
        this.create(res, entry, info, namespace, query, body);
        return;
      case 'delete': {
        const ns = info.namespaced ? namespace : undefined;
        const found = this.store.get(info.plural, ns, route.name!);
        if (!found) throw this.notFound(info, route.name!);
        if (query.dryRun === 'All') {
          this.send(res, entry, 200, found);
          return;
        }
        if (info.plural === 'pods') this.lifecycle.forget(ns ?? '', route.name!);
        this.send(res, entry, 200, this.store.delete(info.plural, ns, route.name!));
        return;
      }
      case 'deletecollection': {
        const victims = this.select(info, namespace, query);
        const deleted: KubeObject[] = [];
        for (const v of victims) {
          if (query.dryRun === 'All') {
            deleted.push(v);
            continue;
          }
          if (info.plural === 'pods') this.lifecycle.forget(v.metadata?.namespace ?? '', v.metadata?.name ?? '');
          const gone = this.store.delete(info.plural, v.metadata?.namespace, v.metadata?.name ?? '');
          if (gone) deleted.push(gone);
        }
        this.send(res, entry, 200, {
          kind: `${info.kind}List`,
          apiVersion: apiVersionOf(info),
          metadata: { resourceVersion: this.store.resourceVersion },
          items: deleted,
        });
        return;
      }
    }
  }

  private select(info: ResourceInfo, namespace: string | undefined, query: Record<string, string>): KubeObject[] {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(info.plural, query.fieldSelector);
    return this.store
      .list(info.plural, info.namespaced ? namespace : undefined)
      .filter((o) => labels(o.metadata?.labels ?? {}) && fields(o));
  }

  private notFound(info: ResourceInfo, name: string): HttpError {
    return new HttpError(404, 'NotFound', `${info.plural} "${name}" not found`, {
      name,
      group: info.group,
      kind: info.plural,
    });
  }

  private review(body: unknown): KubeObject {
    const review = clone((body ?? {}) as KubeObject);
    const attrs = (review.spec?.resourceAttributes ?? {}) as Partial<Attributes>;
    const allowed = this.isAllowed({
      verb: attrs.verb ?? '',
      resource: attrs.resource ?? '',
      group: attrs.group ?? '',
      namespace: attrs.namespace || undefined,
      name: attrs.name,
      subresource: attrs.subresource,
    });
    review.apiVersion = 'authorization.k8s.io/v1';
    review.kind = 'SelfSubjectAccessReview';
    review.metadata = {};
    review.status = allowed
      ? { allowed: true, reason: `RBAC: allowed by RoleBinding "netreach/${attrs.namespace ?? ''}"` }
      : { allowed: false };
    return review;
  }

  private create(
    res: http.ServerResponse,
    entry: RecordedRequest,
    info: ResourceInfo,
    namespace: string | undefined,
    query: Record<string, string>,
    body: unknown,
  ): void {
    if (!body || typeof body !== 'object')
      throw new HttpError(400, 'BadRequest', 'the body of the request was in an unknown format');
    const object = clone(body as KubeObject);
    if (object.kind && object.kind !== info.kind) {
      throw new HttpError(
        400,
        'BadRequest',
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(info)})`,
      );
    }
    object.metadata ??= {};
    if (info.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw new HttpError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace;
      if (!this.store.get('namespaces', undefined, namespace ?? '')) {
        throw new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, {
          name: namespace,
          kind: 'namespaces',
        });
      }
    }
    if (!object.metadata.name && object.metadata.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
      object.metadata.name = object.metadata.generateName + suffix;
    }
    this.validate(info, object);
    const name = object.metadata.name!;
    if (info.plural === 'pods') this.admitPod(object as Pod, namespace ?? '');
    if (this.store.get(info.plural, info.namespaced ? namespace : undefined, name)) {
      throw new HttpError(409, 'AlreadyExists', `${info.plural} "${name}" already exists`, {
        name,
        group: info.group,
        kind: info.plural,
      });
    }
    if (info.plural === 'pods') this.defaultPod(object as Pod);
    if (info.plural === 'namespaces') {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': name };
      object.status = { phase: 'Active' };
    }
    if (query.dryRun === 'All') {
      const preview = clone(object);
      preview.apiVersion = apiVersionOf(info);
      preview.kind = info.kind;
      preview.metadata = {
        ...preview.metadata,
        uid: '00000000-0000-0000-0000-000000000000',
        creationTimestamp: new Date().toISOString(),
      };
      this.send(res, entry, 201, preview);
      return;
    }
    const stored = this.store.create(info, object, new Date());
    this.send(res, entry, 201, stored);
    if (info.plural === 'pods') this.lifecycle.start(stored as Pod);
  }

  private validate(info: ResourceInfo, object: KubeObject): void {
    const name = object.metadata?.name;
    const causes: { message: string; field: string }[] = [];
    if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    else if (name.length > 253 || !NAME_RE.test(name)) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      });
    }
    for (const [i, ref] of (object.metadata?.ownerReferences ?? []).entries()) {
      for (const field of ['apiVersion', 'kind', 'name', 'uid'] as const) {
        if (!ref[field]) causes.push({ field: `metadata.ownerReferences[${i}].${field}`, message: 'Required value' });
      }
    }
    for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
      if (
        typeof value !== 'string' ||
        value.length > 63 ||
        !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)
      ) {
        causes.push({
          field: `metadata.labels`,
          message: `Invalid value: "${value}": label ${key} must be 63 characters or less and consist of alphanumerics, '-', '_' or '.'`,
        });
      }
    }
    if (info.plural === 'pods') {
      const pod = object as Pod;
      if (!pod.spec?.containers?.length) causes.push({ field: 'spec.containers', message: 'Required value' });
      for (const [i, c] of (pod.spec?.containers ?? []).entries()) {
        if (!c.image) causes.push({ field: `spec.containers[${i}].image`, message: 'Required value' });
      }
      const rp = pod.spec?.restartPolicy;
      if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(rp)) {
        causes.push({ field: 'spec.restartPolicy', message: `Unsupported value: "${rp}"` });
      }
    }
    if (causes.length) {
      throw new HttpError(
        422,
        'Invalid',
        `${info.kind} "${name ?? ''}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
        { name, group: info.group, kind: info.kind, causes },
      );
    }
  }

  private admitPod(pod: Pod, namespace: string): void {
    const ns = this.store.get('namespaces', undefined, namespace);
    const level = ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'] as PodSecurityLevel | undefined;
    if (!level) return;
    const violations = checkPodSecurity(pod, level);
    if (violations.length) {
      throw new HttpError(
        403,
        'Forbidden',
        `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "${level}:latest": ${violations.join(', ')}`,
      );
    }
  }

  /** The defaults the API server and the ServiceAccount admission plugin would add. */
  private defaultPod(pod: Pod): void {
    const spec = pod.spec;
    spec.restartPolicy ??= 'Always';
    spec.terminationGracePeriodSeconds ??= 30;
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.schedulerName ??= 'default-scheduler';
    spec.serviceAccountName ??= 'default';
    spec.enableServiceLinks ??= true;
    for (const c of spec.containers) {
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.imagePullPolicy ??= String(c.image).endsWith(':latest') ? 'Always' : 'IfNotPresent';
    }
    if (spec.automountServiceAccountToken !== false) {
      spec.volumes = [...(spec.volumes ?? []), { name: 'kube-api-access-x7k2p', projected: { sources: [] } }];
      for (const c of spec.containers) {
        c.volumeMounts = [
          ...((c.volumeMounts as unknown[]) ?? []),
          { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ];
      }
    }
    pod.status = this.lifecycle.initialStatus();
  }

  private watch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RecordedRequest,
    info: ResourceInfo,
    namespace: string | undefined,
    query: Record<string, string>,
  ): void {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(info.plural, query.fieldSelector);
    const ns = info.namespaced ? namespace : undefined;
    const matches = (resource: string, o: KubeObject) =>
      resource === info.plural &&
      (ns === undefined || o.metadata?.namespace === ns) &&
      labels(o.metadata?.labels ?? {}) &&
      fields(o);

    entry.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    this.watchResponses.add(res);
    const write = (event: WatchEvent) => {
      if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(event) + '\n');
    };

    const rv = query.resourceVersion;
    if (!rv || rv === '0') {
      for (const o of this.store.list(info.plural, ns))
        if (matches(info.plural, o)) write({ type: 'ADDED', object: o });
    } else {
      const events = this.store.eventsAfter(Number(rv));
      if (!events) {
        write({
          type: 'ERROR',
          object: statusBody(410, 'Expired', `too old resource version: ${rv} (${this.store.resourceVersion})`),
        });
        this.watchResponses.delete(res);
        res.end();
        return;
      }
      for (const e of events) if (matches(e.resource, e.object)) write({ type: e.type, object: e.object });
    }
    const unsubscribe = this.store.subscribe((e) => {
      if (matches(e.resource, e.object)) write({ type: e.type, object: e.object });
    });
    const seconds = Number(query.timeoutSeconds);
    const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * this.timing.secondMs) : undefined;
    const cleanup = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.watchResponses.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
    this.changed();
  }

  private send(res: http.ServerResponse, entry: RecordedRequest | undefined, status: number, body: unknown): void {
    if (entry) {
      entry.status = status;
      const received = this.receivedBy.get(entry);
      if (received) received.status = status;
    }
    if (body === undefined) {
      res.writeHead(status, { 'Content-Length': '0' });
      res.end();
    } else {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    }
    this.changed();
  }
}
