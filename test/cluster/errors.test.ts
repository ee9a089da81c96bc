// What a person reads when something goes wrong: the kind (for programs) and a message that
// says what happened and what to do, built from real failures of the client library
// against the double where possible, and from the library's documented error shapes
// otherwise. Tokens never appear.

import assert from 'node:assert/strict';
import { connect, type KubeClient } from '../../server/src/cluster/client';
import { ClusterError, classifyError, redact, type ErrorContext } from '../../server/src/cluster/errors';
import { faults, KubeApiDouble, writeKubeconfig } from './double';

const CTX: ErrorContext = {
  action: 'create pods in namespace "shop"',
  context: 'prod-eu',
  server: 'https://api.prod.example:6443',
  permission: { verb: 'create', resource: 'pods', group: '', namespace: 'shop' },
};

/** The shape client-node 2.x throws for HTTP errors: numeric `code`, raw string `body`. */
function apiException(code: number, message?: string, reason = 'Forbidden'): Error {
  const body =
    message === undefined ? undefined : JSON.stringify({ kind: 'Status', status: 'Failure', reason, message, code });
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });
}

/** The shape undici's fetch throws for network failures. */
function fetchFailed(code: string): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
}

async function failure(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClusterError, `expected a ClusterError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('error classification', () => {
  it('names the missing RBAC permission and the user from a 403', () => {
    const e = classifyError(
      apiException(
        403,
        'pods is forbidden: User "system:serviceaccount:ci:deployer" cannot create resource "pods" in API group "" in the namespace "shop"',
      ),
      CTX,
    );
    assert.equal(e.kind, 'forbidden');
    assert.equal(
      e.message.split('.')[0],
      'Permission denied: user "system:serviceaccount:ci:deployer" may not create pods in namespace "shop" (context "prod-eu")',
    );
    assert.deepEqual(e.missing, [{ verb: 'create', resource: 'pods', group: '', namespace: 'shop' }]);
    const cluster = classifyError(
      apiException(
        403,
        'networkpolicies.networking.k8s.io is forbidden: User "bob" cannot list resource "networkpolicies" in API group "networking.k8s.io" at the cluster scope',
      ),
      CTX,
    );
    assert.match(cluster.message, /may not list networkpolicies\.networking\.k8s\.io cluster-wide/);
  });

  it('tells Pod Security, quota and admission webhook refusals apart from RBAC', () => {
    const psa = classifyError(
      apiException(
        403,
        'pods "netreach-1" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "probe" must set securityContext.runAsNonRoot=true)',
      ),
      CTX,
    );
    assert.equal(psa.kind, 'pod-security');
    assert.match(psa.message, /^Pod Security admission in namespace "shop" refused .*runAsNonRoot != true/);
    const quota = classifyError(
      apiException(
        403,
        'pods "x" is forbidden: exceeded quota: team-quota, requested: pods=1, used: pods=20, limited: pods=20',
      ),
      CTX,
    );
    assert.equal(quota.kind, 'quota');
    const webhook = classifyError(
      apiException(
        400,
        'admission webhook "validation.gatekeeper.sh" denied the request: [allowed-repos] container <probe> has an invalid image repo',
        'BadRequest',
      ),
      CTX,
    );
    assert.equal(webhook.kind, 'admission');
    assert.match(
      webhook.message,
      /^The admission webhook "validation.gatekeeper.sh" refused to create pods in namespace "shop": .*allowed-repos/,
    );
    const vap = classifyError(
      apiException(
        403,
        "pods \"x\" is forbidden: ValidatingAdmissionPolicy 'no-probes' with binding 'b' denied request: no",
      ),
      CTX,
    );
    assert.equal(vap.kind, 'admission');
  });

  it('maps other statuses to kinds, marking the transient ones retryable', () => {
    const cases: [number, string, boolean][] = [
      [404, 'not-found', false],
      [409, 'conflict', false],
      [422, 'invalid', false],
      [429, 'server-error', true],
      [500, 'server-error', true],
      [503, 'server-error', true],
      [504, 'timeout', true],
    ];
    for (const [code, kind, retryable] of cases) {
      const e = classifyError(apiException(code, 'something', 'X'), CTX);
      assert.deepEqual([e.kind, e.retryable, e.status], [kind, retryable, code], `HTTP ${code}`);
    }
  });

  it('recognises network failures by the cause code of "fetch failed"', () => {
    const refused = classifyError(fetchFailed('ECONNREFUSED'), CTX);
    assert.equal(refused.kind, 'unreachable');
    assert.equal(
      refused.message,
      'Cannot reach the API server at https://api.prod.example:6443 (context "prod-eu"): connection refused (ECONNREFUSED) while trying to create pods in namespace "shop". Check that the cluster is running and reachable from here (VPN, proxy), and that this is the context you meant.',
    );
    assert.equal(classifyError(fetchFailed('ENOTFOUND'), CTX).kind, 'unreachable');
    assert.match(classifyError(fetchFailed('ENOTFOUND'), CTX).message, /host not found/);
    assert.equal(classifyError(fetchFailed('UND_ERR_CONNECT_TIMEOUT'), CTX).kind, 'timeout');
    assert.equal(classifyError(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT'), CTX).kind, 'tls');
    const dualStack = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
    });
    assert.equal(classifyError(dualStack, CTX).code, 'ECONNREFUSED');
  });

  it('keeps credentials out of messages built from text it did not write', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    const e = classifyError(new Error(`request failed: {"Authorization":"Bearer ${jwt}"} token: abc123secret`), CTX);
    assert.equal(e.kind, 'unknown');
    assert.ok(!e.message.includes(jwt) && !e.message.includes('abc123secret'), e.message);
    assert.equal(redact('Authorization: Bearer abcdefghijkl'), 'Authorization: Bearer <redacted>');
    assert.equal(redact(`id token ${jwt}`), 'id token <redacted-jwt>');
  });
});

describe('errors from the client library against the double', () => {
  let double: KubeApiDouble;
  let client: KubeClient;

  beforeEach(async () => {
    double = await KubeApiDouble.start({ namespaces: ['shop'] });
    client = await connect({
      kubeconfig: writeKubeconfig({ server: double.url, token: double.token, context: 'kind-test' }),
      requestTimeoutMs: 300,
    });
  });
  afterEach(() => double.close());

  it('a 401 without a body', async () => {
    double.addFault(faults.unauthorized({ noBody: true }));
    const e = await failure(client.list('Pod', { namespace: 'shop' }));
    assert.equal(e.kind, 'unauthorized');
    assert.ok(
      e.message.startsWith(
        `The API server at ${double.url} (context "kind-test") rejected the credentials (401 Unauthorized)`,
      ),
      e.message,
    );
    assert.ok(!e.message.includes(double.token));
  });

  it('a dropped connection', async () => {
    double.addFault(faults.drop());
    const e = await failure(client.list('Pod', { namespace: 'shop' }));
    assert.deepEqual([e.kind, e.code, e.retryable], ['unreachable', 'UND_ERR_SOCKET', true]);
    assert.match(
      e.message,
      /the connection was dropped \(UND_ERR_SOCKET\) while trying to list pods in namespace "shop"/,
    );
  });

  it('a server that never answers: timeout after the per-request limit; cancel: cancelled', async () => {
    double.addFault(faults.hang());
    const timedOut = await failure(client.list('Pod', { namespace: 'shop' }));
    assert.equal(timedOut.kind, 'timeout');
    const controller = new AbortController();
    const pending = client.get('Pod', 'shop', 'x', { signal: controller.signal });
    await double.waitFor(() => double.requests.length === 2);
    controller.abort();
    assert.equal((await failure(pending)).kind, 'cancelled');
  });

  it('a 403 on a watch (no body): the permission comes from what we asked', async () => {
    double.addFault(faults.rbacForbidden({ verb: 'watch', resource: 'pods', namespace: 'shop' }));
    const e = await failure(client.watch('Pod', { namespace: 'shop' }, () => undefined));
    assert.equal(e.kind, 'forbidden');
    assert.match(e.message, /may not watch pods in namespace "shop" \(context "kind-test"\)/);
  });

  it('a 404 on get is "absent", on delete "already gone"; a 500 on list is a retryable server error', async () => {
    assert.equal(await client.get('Pod', 'shop', 'ghost'), undefined);
    assert.equal(await client.delete('Pod', 'shop', 'ghost'), false);
    double.addFault(faults.serverError({ verb: 'list' }));
    const e = await failure(client.list('Pod', { namespace: 'shop' }));
    assert.deepEqual([e.kind, e.status, e.retryable], ['server-error', 500, true]);
    assert.match(e.message, /failed \(500\) while trying to list pods in namespace "shop": Internal error occurred/);
  });
});
