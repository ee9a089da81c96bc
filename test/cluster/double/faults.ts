// Fault injection: rules that match requests and answer them with an error, a dropped
// connection, or no answer at all. Builders produce the exact wording real clusters use,
// so the product's error classification is tested against realistic text.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'delete' | 'deletecollection';

export interface RequestInfo {
  method: string;
  path: string;
  verb: Verb | undefined;
  resource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  dryRun: boolean;
  body: unknown;
}

export type FaultAction =
  /** An error response; a Status body unless `noBody`. */
  | { status: number; reason?: string; message?: string; noBody?: boolean }
  /** The socket is destroyed without an answer (a crashed or restarting API server, a flaky load balancer). */
  | 'drop'
  /** The request is never answered (until the client gives up or the double stops). */
  | 'hang';

export interface FaultRule {
  verb?: Verb;
  resource?: string;
  namespace?: string;
  match?: (request: RequestInfo) => boolean;
  /** Let this many matching requests through before the fault starts. */
  skip?: number;
  /** Apply the fault to this many requests, then stop (default: every matching request). */
  times?: number;
  /** Apply to every n-th matching request only (1 = all). */
  every?: number;
  action: FaultAction;
  /** Counters, kept on the rule so tests can check how often it fired. */
  seen?: number;
  fired?: number;
}

export function ruleMatches(rule: FaultRule, request: RequestInfo): boolean {
  if (rule.verb && rule.verb !== request.verb) return false;
  if (rule.resource && rule.resource !== request.resource) return false;
  if (rule.namespace && rule.namespace !== request.namespace) return false;
  if (rule.match && !rule.match(request)) return false;
  return true;
}

/** Counts the request against the rule; true when the fault applies to it. */
export function ruleFires(rule: FaultRule): boolean {
  rule.seen = (rule.seen ?? 0) + 1;
  const index = rule.seen - (rule.skip ?? 0);
  if (index <= 0) return false;
  if (rule.times !== undefined && (rule.fired ?? 0) >= rule.times) return false;
  if (rule.every && rule.every > 1 && index % rule.every !== 0) return false;
  rule.fired = (rule.fired ?? 0) + 1;
  return true;
}

type Scope = Partial<Pick<FaultRule, 'skip' | 'times' | 'every' | 'namespace' | 'match'>>;

export const faults = {
  /** RBAC denial with the authorizer's wording. */
  rbacForbidden(
    opts: { verb: Verb; resource: string; namespace?: string; group?: string; user?: string } & Scope,
  ): FaultRule {
    const group = opts.group ?? '';
    const where = opts.namespace ? `in the namespace "${opts.namespace}"` : 'at the cluster scope';
    return {
      ...opts,
      action: {
        status: 403,
        reason: 'Forbidden',
        message: `${opts.resource} is forbidden: User "${opts.user ?? 'alice'}" cannot ${opts.verb} resource "${opts.resource}" in API group "${group}" ${where}`,
      },
    };
  },

  /** Pod Security admission rejecting a pod. */
  podSecurity(opts: { namespace?: string; level?: string; violations?: string } & Scope = {}): FaultRule {
    return {
      ...opts,
      verb: 'create',
      resource: 'pods',
      action: {
        status: 403,
        reason: 'Forbidden',
        message:
          `pods "probe" is forbidden: violates PodSecurity "${opts.level ?? 'restricted:latest'}": ` +
          (opts.violations ??
            'seccompProfile (pod or container "probe" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'),
      },
    };
  },

  quotaExceeded(opts: { namespace?: string; quota?: string } & Scope = {}): FaultRule {
    return {
      ...opts,
      verb: 'create',
      resource: 'pods',
      action: {
        status: 403,
        reason: 'Forbidden',
        message: `pods "probe" is forbidden: exceeded quota: ${opts.quota ?? 'compute-resources'}, requested: pods=1, used: pods=10, limited: pods=10`,
      },
    };
  },

  webhookDenied(
    opts: { webhook?: string; reason?: string; status?: number; resource?: string } & Scope = {},
  ): FaultRule {
    return {
      ...opts,
      verb: 'create',
      resource: opts.resource ?? 'pods',
      action: {
        status: opts.status ?? 400,
        reason: opts.status === 403 ? 'Forbidden' : 'BadRequest',
        message: `admission webhook "${opts.webhook ?? 'validate.kyverno.svc-fail'}" denied the request: ${opts.reason ?? 'images must come from registry.corp.example'}`,
      },
    };
  },

  serverError(opts: { verb?: Verb; resource?: string } & Scope = {}): FaultRule {
    return {
      ...opts,
      action: {
        status: 500,
        reason: 'InternalError',
        message: 'Internal error occurred: etcdserver: request timed out',
      },
    };
  },

  unauthorized(opts: { noBody?: boolean } & Scope = {}): FaultRule {
    return { ...opts, action: { status: 401, reason: 'Unauthorized', message: 'Unauthorized', noBody: opts.noBody } };
  },

  drop(opts: { verb?: Verb; resource?: string } & Scope = {}): FaultRule {
    return { ...opts, action: 'drop' };
  },

  hang(opts: { verb?: Verb; resource?: string } & Scope = {}): FaultRule {
    return { ...opts, action: 'hang' };
  },
};
