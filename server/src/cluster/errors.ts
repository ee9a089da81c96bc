// Every failure of the cluster layer becomes a ClusterError: a kind a program can branch on,
// and a message a person can act on. Messages are built from the API server's own words
// (Status.message), the action we attempted, the context name and the server URL; never
// from request headers or kubeconfig contents, so tokens cannot leak into logs or output.

export type ClusterErrorKind =
  /** No kubeconfig file anywhere we look (the client library would silently use http://localhost:8080). */
  | 'no-kubeconfig'
  /** A kubeconfig exists but is unusable: not YAML, no such context, no server. */
  | 'bad-kubeconfig'
  /** Connection refused, host not found, connection dropped. */
  | 'unreachable'
  /** The TLS handshake failed (unknown CA, wrong host name). */
  | 'tls'
  /** 401: credentials missing, wrong or expired. */
  | 'unauthorized'
  /** 403 from RBAC (or a preflight that found missing permissions). */
  | 'forbidden'
  /** 403 from Pod Security admission. */
  | 'pod-security'
  /** 403 from a ResourceQuota. */
  | 'quota'
  /** Denied by an admission webhook or a ValidatingAdmissionPolicy. */
  | 'admission'
  | 'not-found'
  | 'conflict'
  /** 422: the object was rejected as invalid. */
  | 'invalid'
  /** 5xx and 429. */
  | 'server-error'
  | 'timeout'
  | 'cancelled'
  /** The probe image cannot be pulled (ErrImagePull / ImagePullBackOff). */
  | 'image-pull'
  /** The run would exceed the pod cap. */
  | 'too-many-pods'
  /** The client library cannot run here (Node too old). */
  | 'unsupported'
  | 'unknown';

/** An RBAC permission, as SelfSubjectAccessReview and RBAC error messages name it. */
export interface Permission {
  verb: string;
  resource: string;
  group: string;
  /** Absent: cluster scope. */
  namespace?: string;
}

export interface ClusterErrorDetails {
  status?: number;
  /** The Status `reason` (Forbidden, NotFound, AlreadyExists...). */
  reason?: string;
  /** Low-level network code (ECONNREFUSED, UND_ERR_SOCKET...). */
  code?: string;
  retryable?: boolean;
  /** For `forbidden`: the permissions that are missing. */
  missing?: Permission[];
}

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly status?: number;
  readonly reason?: string;
  readonly code?: string;
  readonly retryable: boolean;
  readonly missing?: Permission[];

  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    details: ClusterErrorDetails = {},
  ) {
    super(redact(message));
    this.status = details.status;
    this.reason = details.reason;
    this.code = details.code;
    this.retryable = details.retryable ?? false;
    this.missing = details.missing;
  }
}

/** What we were doing when an error happened; used to word the message. */
export interface ErrorContext {
  /** e.g. `create pods in namespace "shop"`. */
  action: string;
  /** The kubeconfig context name. */
  context?: string;
  /** The API server URL (without credentials). */
  server?: string;
  /** The RBAC attributes of the request, for messages when the server gives no body (watches). */
  permission?: Permission;
  /** The caller's cancellation signal: an abort caused by it is `cancelled`, not `timeout`. */
  signal?: AbortSignal;
}

/** Removes anything that looks like a credential from text we did not write ourselves. */
export function redact(text: string): string {
  return text
    .replace(/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)\s+[^\s"',}]+/gi, '$1$2 <redacted>')
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 <redacted>')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '<redacted-jwt>')
    .replace(
      /((?:token|password|client-key-data|client-certificate-data)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
      '$1<redacted>',
    );
}

export function describePermission(p: Permission): string {
  const resource = p.group ? `${p.resource}.${p.group}` : p.resource;
  return `${p.verb} ${resource} ${p.namespace ? `in namespace "${p.namespace}"` : 'cluster-wide'}`;
}

const RBAC_HINT =
  'Ask a cluster administrator to grant it; deploy/rbac.yaml in the netreach repository lists every permission the probe runner needs.';

interface StatusBody {
  reason?: string;
  message?: string;
  code?: number;
}

function parseBody(body: unknown): StatusBody | undefined {
  if (body && typeof body === 'object') return body as StatusBody;
  if (typeof body !== 'string' || body.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as StatusBody) : undefined;
  } catch {
    return { message: body.slice(0, 500) };
  }
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  UND_ERR_SOCKET: 'the connection was dropped',
  UND_ERR_CLOSED: 'the connection was closed',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
};

const TIMEOUTS = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (Array.isArray(e.errors) && e.errors.length) {
      const inner = networkCode(e.errors[0]);
      if (inner) return inner;
    }
    current = e.cause;
  }
  return undefined;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function where(ctx: ErrorContext): string {
  const parts = [ctx.server ? `the API server at ${ctx.server}` : 'the API server'];
  if (ctx.context) parts.push(`(context "${ctx.context}")`);
  return parts.join(' ');
}

/** Turns whatever the client library threw into a ClusterError. */
export function classifyError(error: unknown, ctx: ErrorContext): ClusterError {
  if (error instanceof ClusterError) return error;
  const e = (error ?? {}) as { name?: string; message?: string; code?: unknown; body?: unknown; statusCode?: unknown };

  if (e.name === 'AbortError' || e.name === 'TimeoutError' || ctx.signal?.aborted) {
    if (ctx.signal?.aborted && e.name !== 'TimeoutError') {
      return new ClusterError('cancelled', `Cancelled while trying to ${ctx.action}.`);
    }
    return new ClusterError(
      'timeout',
      `${capitalized(where(ctx))} did not answer in time while trying to ${ctx.action}.`,
      {
        retryable: true,
      },
    );
  }

  const status = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) return classifyStatus(status, parseBody(e.body), ctx);

  const code = networkCode(error);
  if (code && TIMEOUTS.has(code)) {
    return new ClusterError(
      'timeout',
      `${capitalized(where(ctx))} did not answer in time while trying to ${ctx.action} (${code}).`,
      {
        code,
        retryable: true,
      },
    );
  }
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code)) {
    return new ClusterError(
      'tls',
      `The TLS connection to ${where(ctx)} failed (${code}). The kubeconfig's certificate-authority may be wrong or outdated.`,
      { code },
    );
  }
  if (code && (UNREACHABLE[code] || e.message === 'fetch failed')) {
    const what = UNREACHABLE[code] ?? code;
    return new ClusterError(
      'unreachable',
      `Cannot reach ${where(ctx)}: ${what} (${code}) while trying to ${ctx.action}. ` +
        'Check that the cluster is running and reachable from here (VPN, proxy), and that this is the context you meant.',
      { code, retryable: true },
    );
  }
  return new ClusterError(
    'unknown',
    `Unexpected error while trying to ${ctx.action}: ${e.message ?? String(error)}`,
    code ? { code } : {},
  );
}

function rbacPermission(message: string): Permission | undefined {
  const m =
    /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]*)")?/.exec(message) ??
    /cannot (\S+) resource "([^"]+)"()(?: in the namespace "([^"]*)")?/.exec(message);
  if (!m) return undefined;
  return { verb: m[1], resource: m[2], group: m[3] ?? '', ...(m[4] ? { namespace: m[4] } : {}) };
}

function classifyStatus(status: number, body: StatusBody | undefined, ctx: ErrorContext): ClusterError {
  const serverMessage = body?.message ?? '';
  const details = { status, reason: body?.reason };
  const said = serverMessage ? `: ${serverMessage}` : '';

  if (/admission webhook .* denied the request|ValidatingAdmissionPolicy .* denied request/i.test(serverMessage)) {
    const webhook = /admission webhook "([^"]+)"/.exec(serverMessage)?.[1];
    return new ClusterError(
      'admission',
      `${webhook ? `The admission webhook "${webhook}"` : 'An admission policy'} refused to ${ctx.action}${said}. ` +
        'A policy engine (Kyverno, Gatekeeper, a ValidatingAdmissionPolicy) blocks the probe pod: ask for an exception ' +
        'for pods labelled app.kubernetes.io/managed-by=netreach, or use an image from an approved registry (--image).',
      details,
    );
  }

  switch (status) {
    case 401:
      return new ClusterError(
        'unauthorized',
        `${capitalized(where(ctx))} rejected the credentials (401 Unauthorized) while trying to ${ctx.action}. ` +
          'The token or client certificate is missing, wrong or expired: log in again (for cloud clusters, ' +
          "refresh the credentials with your provider's CLI) and retry.",
        details,
      );
    case 403: {
      if (/violates PodSecurity/.test(serverMessage)) {
        const ns = ctx.permission?.namespace;
        return new ClusterError(
          'pod-security',
          `Pod Security admission${ns ? ` in namespace "${ns}"` : ''} refused to ${ctx.action}${said}. ` +
            'The probe pod is built to pass the "restricted" profile; if the namespace enforces more (or a custom image ' +
            'needs more), exempt pods labelled app.kubernetes.io/managed-by=netreach or probe from another namespace.',
          details,
        );
      }
      if (/exceeded quota|failed quota/.test(serverMessage)) {
        return new ClusterError(
          'quota',
          `A ResourceQuota refused to ${ctx.action}${said}. Lower the probe concurrency, wait for other pods to finish, ` +
            'or ask for a larger quota.',
          details,
        );
      }
      const permission = rbacPermission(serverMessage) ?? ctx.permission;
      const user = /User "([^"]*)"/.exec(serverMessage)?.[1];
      const needed = permission ? describePermission(permission) : ctx.action;
      return new ClusterError(
        'forbidden',
        `Permission denied: ${user ? `user "${user}"` : 'you'} may not ${needed}` +
          `${ctx.context ? ` (context "${ctx.context}")` : ''}. ${RBAC_HINT}`,
        { ...details, ...(permission ? { missing: [permission] } : {}) },
      );
    }
    case 404:
      return new ClusterError('not-found', `Not found while trying to ${ctx.action}${said}.`, details);
    case 409:
      return new ClusterError('conflict', `Conflict while trying to ${ctx.action}${said}.`, details);
    case 400:
    case 422:
      return new ClusterError(
        'invalid',
        `${capitalized(where(ctx))} rejected the request to ${ctx.action} as invalid${said}.`,
        details,
      );
    case 429:
      return new ClusterError(
        'server-error',
        `${capitalized(where(ctx))} is overloaded (429 Too Many Requests) while trying to ${ctx.action}.`,
        {
          ...details,
          retryable: true,
        },
      );
    case 504:
      return new ClusterError(
        'timeout',
        `${capitalized(where(ctx))} timed out (504) while trying to ${ctx.action}${said}.`,
        {
          ...details,
          retryable: true,
        },
      );
  }
  if (status >= 500) {
    return new ClusterError(
      'server-error',
      `${capitalized(where(ctx))} failed (${status}) while trying to ${ctx.action}${said}.`,
      {
        ...details,
        retryable: true,
      },
    );
  }
  return new ClusterError('unknown', `Unexpected answer ${status} while trying to ${ctx.action}${said}.`, details);
}
