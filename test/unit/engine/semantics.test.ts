// NetworkPolicy semantics, one point at a time: each case is a small cluster plus the policies
// under test, and the connections the Kubernetes API documentation says they allow. Every
// expected pair is also checked against explain(), which must agree with the index.
import { strict as assert } from 'node:assert';
import { contains } from '../../../server/src/engine';
import { expectConnections, fixture, namespace, pod, type Fixture } from './helpers';

/** Namespaces x and y are declared (labels team=x/y); z exists only through its pod. */
const CLUSTER = [
  namespace('x', { team: 'x' }),
  namespace('y', { team: 'y' }),
  pod('x/a', { app: 'a' }),
  pod('x/b', { app: 'b' }),
  pod('x/c', { app: 'c', tier: 'fe' }),
  pod('y/b', { app: 'b' }),
  pod('y/c', { app: 'c', tier: 'be' }),
  pod('z/b', { app: 'b' }),
].join('\n---\n');

function cluster(policies: string, extra = CLUSTER): Fixture {
  return fixture({ 'cluster.yaml': extra, 'policies.yaml': policies });
}

interface Case {
  readonly name: string;
  readonly policies: string;
  readonly cluster?: string;
  readonly expect: Readonly<Record<string, string>>;
  /** Extra expectations with `--ipblock-pods ignore`. */
  readonly ignoringPodIps?: Readonly<Record<string, string>>;
}

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const fx = cluster(c.policies, c.cluster);
      assert.deepEqual(
        fx.findings().filter((f) => f.severity === 'error' && f.code !== 'NR003'),
        [],
        'the fixture itself should be clean',
      );
      expectConnections(fx, c.expect);
      if (c.ignoringPodIps) expectConnections(fx, c.ignoringPodIps, { ipBlockMatchesPods: false });
    });
  }
}

describe('engine semantics', () => {
  describe('policyTypes defaulting and isolation per direction', () => {
    run([
      {
        name: 'no policyTypes and only ingress rules: the pod is isolated for Ingress only',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: b}}}]
        `,
        expect: {
          'x/b -> x/a': 'All Connections',
          'x/c -> x/a': 'none',
          'y/b -> x/a': 'none',
          'x/a -> x/c': 'All Connections',
          'x/a -> 8.8.8.8': 'All Connections',
          '8.8.8.8 -> x/a': 'none',
          'x/c -> x/b': 'All Connections',
        },
      },
      {
        name: 'no policyTypes and non-empty egress: isolated for Ingress (always) and Egress',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            egress:
              - to: [{podSelector: {matchLabels: {app: b}}}]
        `,
        expect: {
          'x/a -> x/b': 'All Connections',
          'x/a -> x/c': 'none',
          'x/a -> y/b': 'none',
          'x/a -> 8.8.8.8': 'none',
          'x/b -> x/a': 'none',
          '8.8.8.8 -> x/a': 'none',
        },
      },
      {
        name: 'no policyTypes and egress: [] (empty): Egress is not isolated',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            egress: []
        `,
        expect: { 'x/a -> x/c': 'All Connections', 'x/a -> 8.8.8.8': 'All Connections', 'x/c -> x/a': 'none' },
      },
      {
        name: 'policyTypes: [] counts as absent (defaulted)',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: []
        `,
        expect: { 'x/a -> x/c': 'All Connections', 'x/c -> x/a': 'none' },
      },
      {
        name: 'policyTypes [Egress] alone: ingress rules are ignored and ingress stays open',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Egress]
            ingress:
              - from: [{podSelector: {matchLabels: {app: b}}}]
        `,
        expect: {
          'x/c -> x/a': 'All Connections',
          'x/b -> x/a': 'All Connections',
          'x/a -> x/b': 'none',
          'x/a -> 1.1.1.1': 'none',
        },
      },
      {
        name: 'policyTypes [Ingress, Egress] without rules denies both directions',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {}
            policyTypes: [Ingress, Egress]
        `,
        expect: {
          'x/a -> x/b': 'none',
          'x/a -> y/b': 'none',
          'y/b -> x/a': 'none',
          'y/b -> z/b': 'All Connections',
          'x/a -> 1.1.1.1': 'none',
          '1.1.1.1 -> x/a': 'none',
        },
      },
    ]);
  });

  describe('union of policies and rules; egress AND ingress', () => {
    run([
      {
        name: 'all policies that select a pod add up (one port each)',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p80, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{from: [{podSelector: {matchLabels: {app: b}}}], ports: [{port: 80}]}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p81, namespace: x}
          spec:
            podSelector: {}
            ingress: [{from: [{podSelector: {matchLabels: {app: b}}}], ports: [{port: 81}]}]
        `,
        expect: { 'x/b -> x/a': 'TCP 80-81', 'x/b -> x/c': 'TCP 81', 'x/c -> x/a': 'none' },
      },
      {
        name: 'a deny-all policy does not take away what another policy allows',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {podSelector: {}, policyTypes: [Ingress]}
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-all, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{}]
        `,
        expect: { 'y/c -> x/a': 'All Connections', '9.9.9.9 -> x/a': 'All Connections', 'x/a -> x/b': 'none' },
      },
      {
        name: 'the rules of one policy add up',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: b}}}]
                ports: [{port: 80}]
              - from: [{podSelector: {matchLabels: {app: b}}}]
                ports: [{port: 443}]
              - from: [{podSelector: {matchLabels: {app: c}}}]
                ports: [{port: 53, protocol: UDP}]
        `,
        expect: { 'x/b -> x/a': 'TCP 80,443', 'x/c -> x/a': 'UDP 53' },
      },
      {
        name: 'a connection needs egress at the source and ingress at the destination: their intersection',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: out, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Egress]
            egress: [{to: [{podSelector: {}}], ports: [{port: 8000, endPort: 8090}]}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: in, namespace: x}
          spec:
            podSelector: {matchLabels: {app: b}}
            ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 8085, endPort: 9000}]}]
        `,
        expect: {
          'x/a -> x/b': 'TCP 8085-8090',
          'x/a -> x/c': 'TCP 8000-8090',
          'x/c -> x/b': 'none',
          'x/b -> x/a': 'All Connections',
        },
      },
    ]);
  });

  describe('empty versus absent', () => {
    run([
      {
        name: 'podSelector: {} selects every pod of its own namespace, and only there',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {podSelector: {}}
        `,
        expect: {
          'y/b -> x/a': 'none',
          'y/b -> x/c': 'none',
          'x/a -> y/b': 'All Connections',
          'x/a -> y/c': 'All Connections',
        },
      },
      {
        name: 'an absent spec.podSelector counts as {} (the API server stores it so)',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec: {policyTypes: [Ingress]}
        `,
        expect: { 'y/b -> x/a': 'none', 'y/b -> x/b': 'none', 'x/a -> y/b': 'All Connections' },
      },
      {
        name: '`podSelector:` with nothing after it (null) is also {}',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: x}
          spec:
            podSelector:
        `,
        expect: { 'y/b -> x/a': 'none', 'y/b -> x/b': 'none' },
      },
      {
        name: 'a rule without `from` allows every peer, external addresses included',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{ports: [{port: 80}]}]
        `,
        expect: { 'y/b -> x/a': 'TCP 80', 'z/b -> x/a': 'TCP 80', '203.0.113.9 -> x/a': 'TCP 80' },
      },
      {
        name: '`from: []` is the same as no `from`',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{from: [], ports: [{port: 80}]}]
        `,
        expect: { 'y/b -> x/a': 'TCP 80', '203.0.113.9 -> x/a': 'TCP 80' },
      },
      {
        name: 'an egress rule with `to: []` reaches every pod and address',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Egress]
            egress: [{to: [], ports: [{protocol: UDP, port: 53}]}]
        `,
        expect: { 'x/a -> y/b': 'UDP 53', 'x/a -> 8.8.8.8': 'UDP 53' },
      },
      {
        name: '`ingress: [{}]` allows everything, `ingress: []` nothing',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: all, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: nothing, namespace: x}
          spec:
            podSelector: {matchLabels: {app: b}}
            ingress: []
        `,
        expect: {
          'y/c -> x/a': 'All Connections',
          '1.2.3.4 -> x/a': 'All Connections',
          'x/a -> x/b': 'none',
          '1.2.3.4 -> x/b': 'none',
        },
      },
      {
        name: '`namespaceSelector: {}` is every pod of every namespace, but no external address',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{from: [{namespaceSelector: {}}]}]
        `,
        expect: {
          'y/c -> x/a': 'All Connections',
          'z/b -> x/a': 'All Connections',
          'x/b -> x/a': 'All Connections',
          '1.2.3.4 -> x/a': 'none',
        },
      },
    ]);
  });

  describe('ports', () => {
    const policy = (ports: string) => `
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: x}
      spec:
        podSelector: {matchLabels: {app: a}}
        ingress: [{ports: ${ports}}]
    `;
    run([
      {
        name: '`ports` absent: all ports of all protocols',
        policies: policy('null'),
        expect: { 'x/b -> x/a': 'All Connections' },
      },
      {
        name: '`ports: []`: all ports of all protocols',
        policies: policy('[]'),
        expect: { 'x/b -> x/a': 'All Connections' },
      },
      { name: 'a port without protocol is TCP', policies: policy('[{port: 53}]'), expect: { 'x/b -> x/a': 'TCP 53' } },
      {
        name: 'a port entry with only a protocol: all its ports',
        policies: policy('[{protocol: UDP}]'),
        expect: { 'x/b -> x/a': 'UDP 1-65535' },
      },
      { name: 'a port entry `{}`: all TCP ports', policies: policy('[{}]'), expect: { 'x/b -> x/a': 'TCP 1-65535' } },
      {
        name: 'SCTP is its own protocol',
        policies: policy('[{protocol: SCTP, port: 81}]'),
        expect: { 'x/b -> x/a': 'SCTP 81' },
      },
      {
        name: 'endPort is inclusive',
        policies: policy('[{port: 32000, endPort: 32768}, {protocol: UDP, port: 5000, endPort: 5000}]'),
        expect: { 'x/b -> x/a': 'TCP 32000-32768,UDP 5000' },
      },
      {
        name: 'several entries add up and merge',
        policies: policy('[{port: 80}, {port: 81}, {port: 82, endPort: 90}, {protocol: UDP, port: 80}]'),
        expect: { 'x/b -> x/a': 'TCP 80-90,UDP 80' },
      },
    ]);

    it('endPort: the last port is in, the next one is out', () => {
      const fx = cluster(policy('[{port: 8000, endPort: 8002}]'));
      const set = fx.index().connection(fx.endpoint('x/b'), fx.endpoint('x/a'));
      assert.equal(contains(set, 'TCP', 7999), false);
      assert.equal(contains(set, 'TCP', 8000), true);
      assert.equal(contains(set, 'TCP', 8002), true);
      assert.equal(contains(set, 'TCP', 8003), false);
      assert.equal(contains(set, 'UDP', 8001), false);
    });
  });

  describe('peers', () => {
    const ingressFrom = (from: string) => `
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: x}
      spec:
        podSelector: {matchLabels: {app: a}}
        ingress: [{from: ${from}}]
    `;
    run([
      {
        name: 'podSelector alone means pods of the policy namespace',
        policies: ingressFrom('[{podSelector: {matchLabels: {app: b}}}]'),
        expect: { 'x/b -> x/a': 'All Connections', 'y/b -> x/a': 'none', 'z/b -> x/a': 'none', 'x/c -> x/a': 'none' },
      },
      {
        name: 'namespaceSelector alone means all pods of the matching namespaces',
        policies: ingressFrom('[{namespaceSelector: {matchLabels: {team: y}}}]'),
        expect: {
          'y/b -> x/a': 'All Connections',
          'y/c -> x/a': 'All Connections',
          'x/b -> x/a': 'none',
          'z/b -> x/a': 'none',
        },
      },
      {
        name: 'both selectors in one peer: AND',
        policies: ingressFrom('[{namespaceSelector: {matchLabels: {team: y}}, podSelector: {matchLabels: {app: b}}}]'),
        expect: { 'y/b -> x/a': 'All Connections', 'y/c -> x/a': 'none', 'x/b -> x/a': 'none', 'z/b -> x/a': 'none' },
      },
      {
        name: 'the same selectors as two peers: OR',
        policies: ingressFrom(
          '[{namespaceSelector: {matchLabels: {team: y}}}, {podSelector: {matchLabels: {app: b}}}]',
        ),
        expect: {
          'y/b -> x/a': 'All Connections',
          'y/c -> x/a': 'All Connections',
          'x/b -> x/a': 'All Connections',
          'x/c -> x/a': 'none',
          'z/b -> x/a': 'none',
        },
      },
      {
        name: 'podSelector {} with namespaceSelector {}: every pod everywhere',
        policies: ingressFrom('[{namespaceSelector: {}, podSelector: {}}]'),
        expect: { 'z/b -> x/a': 'All Connections', 'x/c -> x/a': 'All Connections', '1.2.3.4 -> x/a': 'none' },
      },
      {
        name: 'kubernetes.io/metadata.name is set on declared namespaces',
        policies: ingressFrom('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]'),
        expect: { 'y/c -> x/a': 'All Connections', 'z/b -> x/a': 'none', 'x/b -> x/a': 'none' },
      },
      {
        name: 'kubernetes.io/metadata.name is set on namespaces without a manifest',
        policies: ingressFrom('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]'),
        expect: { 'z/b -> x/a': 'All Connections', 'y/c -> x/a': 'none' },
      },
      {
        name: 'kubernetes.io/metadata.name written with another value in the manifest is replaced by the name',
        cluster: [
          namespace('q', { 'kubernetes.io/metadata.name': 'other' }),
          pod('q/p'),
          pod('x/a', { app: 'a' }),
        ].join('\n---\n'),
        policies: ingressFrom('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: q}}}]'),
        expect: { 'q/p -> x/a': 'All Connections' },
      },
    ]);
  });

  describe('label selectors', () => {
    // Pods: x/a app=a; x/b app=b; x/c app=c tier=fe. The policy selects with `selector` and
    // denies all ingress, so the selected pods are exactly those that y/b cannot reach.
    const cases: [string, string, string[]][] = [
      ['matchLabels', '{matchLabels: {app: b}}', ['x/b']],
      ['matchLabels with two keys (AND)', '{matchLabels: {app: c, tier: fe}}', ['x/c']],
      ['In', '{matchExpressions: [{key: app, operator: In, values: [a, c]}]}', ['x/a', 'x/c']],
      [
        'NotIn (a pod without the key matches)',
        '{matchExpressions: [{key: tier, operator: NotIn, values: [fe]}]}',
        ['x/a', 'x/b'],
      ],
      ['NotIn with several values', '{matchExpressions: [{key: app, operator: NotIn, values: [a, b]}]}', ['x/c']],
      ['Exists', '{matchExpressions: [{key: tier, operator: Exists}]}', ['x/c']],
      ['DoesNotExist', '{matchExpressions: [{key: tier, operator: DoesNotExist}]}', ['x/a', 'x/b']],
      [
        'matchLabels and matchExpressions together (AND)',
        '{matchLabels: {app: c}, matchExpressions: [{key: tier, operator: In, values: [fe, be]}]}',
        ['x/c'],
      ],
      [
        'two expressions (AND)',
        '{matchExpressions: [{key: app, operator: In, values: [a, b, c]}, {key: app, operator: NotIn, values: [b]}]}',
        ['x/a', 'x/c'],
      ],
      ['an unknown key matches nothing with In', '{matchExpressions: [{key: nope, operator: In, values: [x]}]}', []],
      ['an empty selector matches everything', '{}', ['x/a', 'x/b', 'x/c']],
    ];
    for (const [name, selector, selected] of cases) {
      it(`${name}: ${selector}`, () => {
        const fx = cluster(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: ${selector}
        `);
        assert.deepEqual(
          fx.findings().filter((f) => f.severity === 'error'),
          [],
        );
        const index = fx.index();
        assert.deepEqual(
          index
            .selectedWorkloads(fx.policy('x/p'))
            .map((w) => w.id)
            .sort(),
          selected.map((s) => `${s}[Pod]`),
        );
        for (const target of ['x/a', 'x/b', 'x/c']) {
          const expected = selected.includes(target) ? 'none' : 'All Connections';
          expectConnections(fx, { [`y/b -> ${target}`]: expected });
        }
      });
    }
  });

  describe('named ports', () => {
    const servers = [
      pod('x/a', { app: 'a' }, { ports: 'http:8080/TCP,dns:53/UDP' }),
      pod('x/b', { app: 'b' }, { ports: 'http:9090/TCP,metrics:9100' }),
      pod('x/c', { app: 'c' }, { ports: '7000' }),
      pod('y/b', { app: 'b' }, { ports: 'http:8443' }),
    ].join('\n---\n');
    run([
      {
        name: 'ingress: the name resolves on each selected pod',
        cluster: servers,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {}
            ingress: [{ports: [{port: http}]}]
        `,
        expect: {
          'y/b -> x/a': 'TCP 8080',
          'y/b -> x/b': 'TCP 9090',
          'y/b -> x/c': 'none',
          '10.9.9.9 -> x/a': 'TCP 8080',
        },
      },
      {
        name: 'egress: the name resolves on the peer pod; toward an IP it resolves to nothing',
        cluster: servers,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Egress]
            egress: [{ports: [{port: http}, {port: 7000}]}]
        `,
        expect: {
          'x/a -> x/b': 'TCP 7000,9090',
          'x/a -> y/b': 'TCP 7000,8443',
          'x/a -> x/c': 'TCP 7000',
          'x/a -> 8.8.8.8': 'TCP 7000',
        },
      },
      {
        name: 'the protocol must match: `dns` is UDP on the pod, the rule says TCP (default)',
        cluster: servers,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{ports: [{port: dns}]}, {from: [{podSelector: {matchLabels: {app: b}}}], ports: [{port: dns, protocol: UDP}]}]
        `,
        expect: { 'x/c -> x/a': 'none', 'x/b -> x/a': 'UDP 53' },
      },
      {
        name: 'a name no pod has allows nothing, and the pod is still isolated',
        cluster: servers,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            ingress: [{ports: [{port: nope}]}]
        `,
        expect: { 'x/b -> x/a': 'none', '1.1.1.1 -> x/a': 'none' },
      },
      {
        name: 'a container port without protocol is TCP for name resolution',
        cluster: servers,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: b}}
            ingress: [{ports: [{port: metrics, protocol: TCP}]}]
        `,
        expect: { 'x/a -> x/b': 'TCP 9100' },
      },
    ]);
  });

  describe('ipBlock', () => {
    const withIps = [
      pod('x/a', { app: 'a' }),
      pod('y/in', { app: 'in' }, { ip: '10.0.0.5' }),
      pod('y/out', { app: 'out' }, { ip: '192.168.1.5' }),
      pod('y/excepted', { app: 'excepted' }, { ip: '10.1.0.9' }),
      pod('y/unknown', { app: 'unknown' }),
      pod('y/r1', { app: 'rs' }, { ip: '10.0.0.6', owner: 'ReplicaSet/rs' }),
      pod('y/r2', { app: 'rs' }, { ip: '10.0.0.7', owner: 'ReplicaSet/rs' }),
      pod('y/m1', { app: 'mixed' }, { ip: '10.0.0.8', owner: 'ReplicaSet/mixed' }),
      pod('y/m2', { app: 'mixed' }, { ip: '172.16.0.8', owner: 'ReplicaSet/mixed' }),
      pod('y/v6', { app: 'v6' }, { ip: 'fd00::10' }),
      pod('y/dual', { app: 'dual' }, { ip: ['10.0.0.9', 'fd00::9'] }),
      pod('y/dual-out', { app: 'dual-out' }, { ip: ['10.0.0.10', 'fd99::10'] }),
    ].join('\n---\n');
    const fromBlock = `
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: x}
      spec:
        podSelector: {matchLabels: {app: a}}
        ingress:
          - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
            ports: [{port: 443}]
          - from: [{ipBlock: {cidr: "fd00::/64"}}]
            ports: [{port: 6443}]
    `;
    run([
      {
        name: 'cidr minus except, for external addresses (IPv4 and IPv6)',
        cluster: withIps,
        policies: fromBlock,
        expect: {
          '10.2.3.4 -> x/a': 'TCP 443',
          '10.1.2.3 -> x/a': 'none',
          '10.255.255.255 -> x/a': 'TCP 443',
          '11.0.0.0 -> x/a': 'none',
          'fd00::1 -> x/a': 'TCP 6443',
          'fd00:0:0:1::1 -> x/a': 'none',
        },
      },
      {
        name: '--ipblock-pods match (default): a pod whose IP lies in the block matches it; ignore: it does not',
        cluster: withIps,
        policies: fromBlock,
        expect: {
          'y/in -> x/a': 'TCP 443',
          'y/out -> x/a': 'none',
          'y/excepted -> x/a': 'none',
          'y/unknown -> x/a': 'none',
          'y/rs[ReplicaSet] -> x/a': 'TCP 443',
          'y/mixed[ReplicaSet] -> x/a': 'none',
          'y/v6 -> x/a': 'TCP 6443',
          // Dual-stack pods: each block judges the addresses of its own family.
          'y/dual -> x/a': 'TCP 443,6443',
          'y/dual-out -> x/a': 'TCP 443',
        },
        ignoringPodIps: {
          'y/in -> x/a': 'none',
          'y/rs[ReplicaSet] -> x/a': 'none',
          'y/v6 -> x/a': 'none',
          '10.2.3.4 -> x/a': 'TCP 443',
        },
      },
      {
        name: 'an address of a family no ipBlock mentions: rules without peers still apply to it',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Ingress, Egress]
            ingress:
              - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
              - ports: [{port: 443}]
            egress:
              - to: [{ipBlock: {cidr: 10.0.0.0/8}}]
                ports: [{port: 53, protocol: UDP}]
              - ports: [{port: 443}]
        `,
        expect: {
          'fd00::1 -> x/a': 'TCP 443',
          '10.0.0.1 -> x/a': 'All Connections',
          'x/a -> fd00::1': 'TCP 443',
          'x/a -> 10.0.0.1': 'TCP 443,UDP 53',
          'x/a -> 11.0.0.1': 'TCP 443',
        },
      },
      {
        name: 'egress ipBlock matches destination pods by IP (match) or not (ignore)',
        cluster: withIps,
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: a}}
            policyTypes: [Egress]
            egress: [{to: [{ipBlock: {cidr: 10.0.0.5/32}}]}]
        `,
        expect: {
          'x/a -> y/in': 'All Connections',
          'x/a -> y/out': 'none',
          'x/a -> 10.0.0.5': 'All Connections',
          'x/a -> 10.0.0.6': 'none',
        },
        ignoringPodIps: { 'x/a -> y/in': 'none', 'x/a -> 10.0.0.5': 'All Connections' },
      },
    ]);
  });

  describe('where objects land', () => {
    run([
      {
        name: 'objects without metadata.namespace are in default',
        cluster: [pod('a', { app: 'a' }), pod('y/b', { app: 'b' })].join('\n---\n'),
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p}
          spec:
            podSelector: {}
            ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: default}}}]}]
        `,
        expect: { 'y/b -> default/a': 'none', 'default/a -> y/b': 'All Connections' },
      },
      {
        name: 'between the pods of one workload, policies apply as between any two pods',
        cluster: [
          pod('x/web-1', { app: 'web' }, { owner: 'ReplicaSet/web' }),
          pod('x/web-2', { app: 'web' }, { owner: 'ReplicaSet/web' }),
          pod('x/a', { app: 'a' }),
        ].join('\n---\n'),
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: x}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]
            egress: [{ports: [{port: 80}]}]
        `,
        expect: {
          'x/web -> x/web': 'none',
          'x/a -> x/web': 'All Connections',
          'x/web -> x/a': 'TCP 80',
          'x/a -> x/a': 'All Connections',
        },
      },
      {
        name: 'a policy in another namespace does not touch these pods',
        policies: `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: y}
          spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        `,
        expect: {
          'x/a -> x/b': 'All Connections',
          'z/b -> x/a': 'All Connections',
          'x/a -> y/b': 'none',
          'y/b -> x/a': 'none',
        },
      },
    ]);
  });
});
