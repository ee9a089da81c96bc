// From files to the model: documents, Lists, JSON, broken and foreign input, workload kinds,
// controller folding and namespaces.
import { strict as assert } from 'node:assert';
import { buildWorkspace, readFile, type Workspace } from '../../../server/src/engine';
import { dedent, fixture, mark, pod } from './helpers';

const ids = (ws: Workspace) => ws.workloads.map((w) => w.id).sort();
const labelsOf = (ws: Workspace, id: string) => Object.fromEntries(ws.workloads.find((w) => w.id === id)!.labels);
const nsLabels = (ws: Workspace, name: string) => Object.fromEntries(ws.namespaces.get(name)!.labels);

describe('engine reading', () => {
  describe('files and documents', () => {
    it('reads every document of a multi-document file', () => {
      const fx = fixture(`
        ${pod('x/a')}
        ---
        ${pod('x/b')}
        ---
        # a comment-only document is empty, not an error
        ---
        ${pod('y/c')}
      `);
      assert.deepEqual(ids(fx.workspace), ['x/a[Pod]', 'x/b[Pod]', 'y/c[Pod]']);
      assert.deepEqual(fx.findings(), []);
    });

    it('a syntax error drops that document and the rest of its file, not other files', () => {
      const fx = fixture({
        'broken.yaml': `
          ${pod('x/before')}
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: broken, namespace: x
          ---
          ${pod('x/after')}
        `,
        'other.yaml': pod('x/other'),
      });
      assert.deepEqual(ids(fx.workspace), ['x/before[Pod]', 'x/other[Pod]']);
      const syntax = fx.findings('NR014');
      assert.ok(syntax.length >= 1);
      assert.equal(syntax[0].span.uri, 'broken.yaml');
      assert.match(syntax[0].message, /rest of the file/);
      // The file model marks which documents are applied.
      const model = fx.workspace.files.get('broken.yaml')!;
      assert.deepEqual(
        model.file.documents.map((d) => d.applied),
        [true, false, false],
      );
    });

    it('a tab in indentation is a syntax error too', () => {
      const fx = fixture(`
        ${pod('x/a')}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
        \tname: tabbed
      `);
      assert.deepEqual(ids(fx.workspace), ['x/a[Pod]']);
      assert.ok(fx.findings('NR014').length > 0);
    });

    it('reads JSON files (an object, and a List)', () => {
      const ws = buildWorkspace([
        {
          uri: 'pod.json',
          text: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'j', namespace: 'x', labels: { app: 'j' } },
          }),
        },
        {
          uri: 'list.json',
          text: JSON.stringify(
            {
              apiVersion: 'v1',
              kind: 'List',
              items: [
                { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { team: 'x' } } },
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  metadata: { name: 'd', namespace: 'x' },
                  spec: { template: { metadata: { labels: { app: 'd' } } } },
                },
              ],
            },
            null,
            2,
          ),
        },
      ]);
      assert.deepEqual(ids(ws), ['x/d[Deployment]', 'x/j[Pod]']);
      assert.deepEqual(labelsOf(ws, 'x/j[Pod]'), { app: 'j' });
      assert.deepEqual(nsLabels(ws, 'x'), { team: 'x', 'kubernetes.io/metadata.name': 'x' });
    });

    it('flattens a List whose items carry their own kind', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: List
        items:
          - ${pod('x/a')}
          - apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            spec: {podSelector: {}}
      `);
      assert.deepEqual(ids(fx.workspace), ['x/a[Pod]']);
      assert.deepEqual(
        fx.workspace.policies.map((p) => p.id),
        ['x/p'],
      );
    });

    it('takes kind and apiVersion from a typed list (PodList items without kind)', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: PodList
        items:
          - metadata: {name: a, namespace: x, labels: {app: a}}
            spec: {containers: [{name: c, image: i}]}
          - metadata: {name: b, namespace: x}
        ---
        apiVersion: v1
        kind: NamespaceList
        items:
          - metadata: {name: x, labels: {team: blue}}
      `);
      assert.deepEqual(ids(fx.workspace), ['x/a[Pod]', 'x/b[Pod]']);
      assert.deepEqual(nsLabels(fx.workspace, 'x'), { team: 'blue', 'kubernetes.io/metadata.name': 'x' });
    });

    it('ignores YAML and JSON that is not Kubernetes', () => {
      const ws = buildWorkspace([
        { uri: 'values.yaml', text: 'replicaCount: 3\nimage:\n  repository: nginx\n' },
        { uri: 'list.yaml', text: '- a\n- b\n' },
        { uri: 'scalar.yaml', text: 'just text\n' },
        { uri: 'expected.json', text: '[{"src": "a", "dst": "b", "conn": "All Connections"}]' },
        { uri: 'case.json', text: '{"class": "a", "kinds": {"Pod": 1}}' },
        { uri: 'kindless.yaml', text: 'apiVersion: v1\nmetadata: {name: x}\n' },
        { uri: 'cm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n' },
        { uri: 'empty.yaml', text: '' },
      ]);
      assert.deepEqual(ws.workloads, []);
      assert.deepEqual(ws.policies, []);
      assert.deepEqual(ws.findings, []);
      assert.equal(ws.objectCount, 1, 'only the ConfigMap is a Kubernetes object');
    });

    it('leaves out templates (Helm and other {{ }} files) instead of reporting their syntax', () => {
      const helm = dedent(`
        {{- if .Values.networkPolicy.enabled }}
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: {{ include "demo.fullname" . }}
          labels:
            {{- include "demo.labels" . | nindent 4 }}
        spec:
          podSelector: {}
        {{- end }}
      `);
      // Parses as YAML, but in a chart's templates/ folder: the values are not the real ones.
      const quoted = dedent(`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: "{{ .Release.Name }}-api"
        spec:
          podSelector:
            matchLabels:
              app: "{{ .Values.app }}"
      `);
      // A manifest that carries template text as data stays a manifest.
      const alerts = dedent(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: alert-templates, namespace: monitoring}
        data:
          slack.tmpl: |
            {{ define "slack.title" }}{{ .Status }}{{ end }}
      `);
      const ws = buildWorkspace([
        { uri: 'file:///repo/chart/templates/netpol.yaml', text: helm },
        { uri: 'file:///repo/chart/templates/quoted.yaml', text: quoted },
        { uri: 'file:///repo/monitoring/alerts.yaml', text: alerts },
        { uri: 'file:///repo/broken.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n' },
        // Broken by a half-rendered quoted value: the documents before it still count.
        {
          uri: 'file:///repo/half-rendered.yaml',
          text: `${pod('x/before')}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: after, namespace: x}\nspec:\n  containers:\n    - image: "{{ printf "%s:%s" .repo .tag }}"\n`,
        },
      ]);
      assert.deepEqual(
        [...ws.files.values()].filter((m) => m.template).map((m) => m.file.uri),
        ['file:///repo/chart/templates/netpol.yaml', 'file:///repo/chart/templates/quoted.yaml'],
      );
      assert.deepEqual(ws.policies, [], 'no policy read from a template');
      assert.equal(ws.objectCount, 2, 'the ConfigMap with template text as data is read, and x/before');
      assert.deepEqual(ids(ws), ['x/before[Pod]']);
      assert.deepEqual(
        [...new Set(ws.findings.map((f) => `${f.code} ${f.span.uri}`))],
        ['NR014 file:///repo/broken.yaml', 'NR014 file:///repo/half-rendered.yaml'],
        'broken YAML that is not a template is still reported',
      );
    });

    it('leaves out the files kustomizations use as patches: no duplicate, the base object stays whole', () => {
      const deployment = dedent(`
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
      `);
      const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3}\n';
      const policyPatch =
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec: {policyTypes: [Egress]}\n';
      const ws = buildWorkspace([
        { uri: 'file:///repo/base/deployment.yaml', text: deployment },
        { uri: 'file:///repo/base/kustomization.yaml', text: 'resources: [deployment.yaml]\n' },
        {
          uri: 'file:///repo/overlays/prod%20eu/kustomization.yaml',
          text: 'resources: [../../base]\npatches:\n  - path: ./replicas.yaml\npatchesStrategicMerge:\n  - ../../shared/policy-patch.yaml\n  - |-\n    apiVersion: v1\n    kind: Service\n',
        },
        { uri: 'file:///repo/overlays/prod%20eu/replicas.yaml', text: patch },
        { uri: 'file:///repo/shared/policy-patch.yaml', text: policyPatch },
      ]);
      assert.deepEqual([...ws.patches].sort(), [
        'file:///repo/overlays/prod%20eu/replicas.yaml',
        'file:///repo/shared/policy-patch.yaml',
      ]);
      assert.deepEqual(ids(ws), ['default/api[Deployment]']);
      assert.deepEqual(labelsOf(ws, 'default/api[Deployment]'), { app: 'api' }, 'the base, not the patch');
      assert.deepEqual(ws.policies, []);
      assert.deepEqual(ws.findings, [], 'no NR013 between the base and its patch');
    });

    it('gives the files a kustomization lists its namespace, unless kustomizations disagree or reach them through a folder', () => {
      const deployment = (name: string, ns = '') =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: i}]}\n`;
      const policy =
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\nspec:\n  podSelector: {matchLabels: {app: web}}\n';
      const ws = buildWorkspace([
        {
          uri: 'apps/web/kustomization.yaml',
          text: 'namespace: shop\nresources:\n  - deployment.yaml\n  - ./policy.yaml\n  - ../shared/both.yaml\n',
        },
        { uri: 'apps/web/deployment.yaml', text: deployment('web', 'written-here') },
        { uri: 'apps/web/policy.yaml', text: policy },
        { uri: 'apps/other/kustomization.yaml', text: 'namespace: other\nresources: [../shared/both.yaml]\n' },
        { uri: 'apps/shared/both.yaml', text: deployment('both') },
        { uri: 'base/kustomization.yaml', text: 'resources: [api.yaml]\n' },
        { uri: 'base/api.yaml', text: deployment('api') },
        { uri: 'overlays/prod/kustomization.yaml', text: 'namespace: prod\nresources: [../../base]\n' },
      ]);
      assert.deepEqual(ids(ws), ['default/api[Deployment]', 'default/both[Deployment]', 'shop/web[Deployment]']);
      assert.deepEqual(
        ws.policies.map((p) => p.id),
        ['shop/web'],
      );
      assert.deepEqual(ws.findings, []);
    });

    it('reads each file on its own (readFile), then joins them', () => {
      const a = readFile({ uri: 'a.yaml', text: pod('x/a') });
      const b = readFile({ uri: 'b.yaml', text: pod('x/b') });
      assert.deepEqual(ids(buildWorkspace([a, b])), ['x/a[Pod]', 'x/b[Pod]']);
    });
  });

  describe('values of the wrong type (NR014)', () => {
    const cases: [string, string, RegExp][] = [
      [
        'containerPort: [] skips the pod',
        `
          apiVersion: v1
          kind: Pod
          metadata: {name: bad, namespace: x}
          spec: {containers: [{name: c, image: i, ports: [{containerPort: «[]»}]}]}
        `,
        /`containerPort` must be an integer, not a list/,
      ],
      [
        'an unquoted label value true skips the pod',
        `
          apiVersion: v1
          kind: Pod
          metadata: {name: bad, namespace: x, labels: {enabled: «true»}}
        `,
        /`enabled` must be a string \(quote it\), not the boolean true/,
      ],
      [
        'a number as label value skips the Deployment',
        `
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: bad, namespace: x}
          spec: {template: {metadata: {labels: {version: «1.0»}}}}
        `,
        /`version` must be a string \(quote it\), not the number 1/,
      ],
      [
        'a list as spec skips the policy',
        `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: bad, namespace: x}
          spec: «[]»
        `,
        /`spec` must be a mapping, not a list/,
      ],
      [
        'a string as podSelector skips the policy',
        `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: bad, namespace: x}
          spec: {podSelector: «app=web»}
        `,
        /`podSelector` must be a mapping, not the string "app=web"/,
      ],
      [
        'a mapping as ingress skips the policy',
        `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: bad, namespace: x}
          spec:
            podSelector: {}
            ingress: «{from: []}»
        `,
        /`ingress` must be a list, not a mapping/,
      ],
      [
        'a float port skips the policy',
        `
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: bad, namespace: x}
          spec:
            podSelector: {}
            ingress: [{ports: [{port: «80.5»}]}]
        `,
        /`port` must be a port number or a port name/,
      ],
    ];
    for (const [name, text, message] of cases) {
      it(name, () => {
        const fx = fixture({ 'bad.yaml': text, 'good.yaml': pod('x/good') });
        assert.deepEqual(ids(fx.workspace), ['x/good[Pod]']);
        assert.deepEqual(fx.workspace.policies, []);
        const findings = fx.findings('NR014');
        assert.equal(findings.length, 1, JSON.stringify(findings));
        assert.match(findings[0].message, message);
        assert.deepEqual(findings[0].span, fx.spans[0]);
        assert.equal(findings[0].rejectedByApi, true);
      });
    }

    it('a port entry without containerPort drops only that entry', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: x}
        spec: {containers: [{name: c, image: i, ports: [«{name: http, ContainerPort: 80}», {name: ok, containerPort: 81}]}]}
      `);
      assert.deepEqual(ids(fx.workspace), ['x/p[Pod]']);
      assert.deepEqual(
        fx.workspace.workloads[0].ports.map((p) => `${p.name}:${p.port}`),
        ['ok:81'],
      );
      assert.deepEqual(
        fx.findings('NR014').map((f) => f.span),
        [fx.spans[0]],
      );
    });
  });

  describe('workloads', () => {
    it('takes labels and ports from the pod template of each controller kind', () => {
      const template =
        '{metadata: {labels: {app: KIND}}, spec: {containers: [{name: c, image: i, ports: [{name: web, containerPort: 8080}]}]}}';
      const kinds = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController'];
      const fx = fixture(
        [
          ...kinds.map(
            (k) =>
              `{apiVersion: v1, kind: ${k}, metadata: {name: ${k.toLowerCase()}, namespace: x}, spec: {template: ${template.replace('KIND', k.toLowerCase())}}}`,
          ),
          dedent(`
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: cron, namespace: x}
            spec:
              schedule: "* * * * *"
              jobTemplate:
                spec:
                  template:
                    metadata: {labels: {app: cron}}
                    spec: {containers: [{name: c, image: i, ports: [{name: web, containerPort: 8080}]}]}
          `),
        ].join('\n---\n'),
      );
      assert.deepEqual(fx.findings(), []);
      for (const kind of [...kinds, 'CronJob']) {
        const name = kind === 'CronJob' ? 'cron' : kind.toLowerCase();
        const workload = fx.workload(`x/${name}[${kind}]`);
        assert.deepEqual(Object.fromEntries(workload.labels), { app: name }, kind);
        assert.deepEqual(
          workload.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`),
          ['web:8080/TCP'],
          kind,
        );
      }
    });

    it('a CronJob without a jobTemplate has no labels, and is not mistaken for its spec.template', () => {
      const fx = fixture(
        '{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: x}, spec: {template: {metadata: {labels: {app: wrong}}}}}',
      );
      assert.deepEqual(Object.fromEntries(fx.workload('x/c').labels), {});
    });

    it('sidecar init containers (restartPolicy: Always) serve ports; plain init containers do not', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: x}
        spec:
          initContainers:
            - {name: setup, image: i, ports: [{name: setup, containerPort: 1}]}
            - {name: proxy, image: i, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}
          containers:
            - {name: app, image: i, ports: [{name: dns, containerPort: 53, protocol: UDP}]}
      `);
      assert.deepEqual(
        fx
          .workload('x/p')
          .ports.map((p) => `${p.name}:${p.port}/${p.protocol}`)
          .sort(),
        ['dns:53/UDP', 'proxy:15001/TCP'],
      );
    });

    it('reads pod IPs from status.podIP and status.podIPs', () => {
      const fx = fixture(pod('x/p', {}, { ip: ['10.0.0.1', 'fd00::1'] }));
      assert.deepEqual(
        fx.workload('x/p').addresses.map((a) => `${a.family}:${a.text}`),
        ['4:10.0.0.1', '6:fd00::1'],
      );
    });

    it('objects without metadata.namespace are in default', () => {
      const fx = fixture([pod('a'), '{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}'].join('\n---\n'));
      assert.deepEqual(ids(fx.workspace), ['default/a[Pod]', 'default/d[Deployment]']);
      assert.deepEqual(nsLabels(fx.workspace, 'default'), { 'kubernetes.io/metadata.name': 'default' });
    });
  });

  describe('controller folding', () => {
    it('pods with a controller reference appear as their owner, all in one workload', () => {
      const fx = fixture(
        [
          pod('x/web-1', { app: 'web' }, { owner: 'ReplicaSet/web-5d8f', ports: 'http:80', ip: '10.0.0.1' }),
          pod(
            'x/web-2',
            { app: 'web' },
            { owner: 'ReplicaSet/web-5d8f', ports: 'http:80,metrics:9090', ip: '10.0.0.2' },
          ),
          pod('x/db-0', { app: 'db' }, { owner: 'StatefulSet/db' }),
          pod('y/web-1', { app: 'web' }, { owner: 'ReplicaSet/web-5d8f' }),
        ].join('\n---\n'),
      );
      assert.deepEqual(ids(fx.workspace), ['x/db[StatefulSet]', 'x/web-5d8f[ReplicaSet]', 'y/web-5d8f[ReplicaSet]']);
      const web = fx.workload('x/web-5d8f');
      assert.equal(web.objects.length, 2);
      assert.deepEqual(
        web.ports.map((p) => `${p.name}:${p.port}`),
        ['http:80', 'metrics:9090'],
      );
      assert.deepEqual(
        web.addresses.map((a) => a.text),
        ['10.0.0.1', '10.0.0.2'],
      );
      assert.equal(web.podLabelSets.length, 1);
    });

    it('an owner reference without kind keeps the name and the kind Pod', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: x
          ownerReferences: [{apiVersion: apps/v1, name: web-rs, controller: true, uid: u}]
      `);
      assert.deepEqual(ids(fx.workspace), ['x/web-rs[Pod]']);
    });

    it('a reference that is not the controller, or a Node owner, leaves the pod as itself', () => {
      const fx = fixture(`
        apiVersion: v1
        kind: Pod
        metadata:
          name: a
          namespace: x
          ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: cm, uid: u}]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: b
          namespace: x
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, controller: false, uid: u}]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: kube-proxy-static
          namespace: kube-system
          ownerReferences: [{apiVersion: v1, kind: Node, name: node-1, controller: true, uid: u}]
      `);
      assert.deepEqual(ids(fx.workspace), ['kube-system/kube-proxy-static[Pod]', 'x/a[Pod]', 'x/b[Pod]']);
    });

    it('pods of one owner with different labels are kept as distinct label sets', () => {
      const fx = fixture(
        [
          pod('x/w-1', { app: 'w', v: '1' }, { owner: 'ReplicaSet/w' }),
          pod('x/w-2', { app: 'w', v: '2' }, { owner: 'ReplicaSet/w' }),
        ].join('\n---\n'),
      );
      assert.equal(fx.workload('x/w').podLabelSets.length, 2);
    });
  });

  describe('namespaces', () => {
    it('declared and implicit namespaces carry kubernetes.io/metadata.name', () => {
      const fx = fixture(`
        {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {team: web}}}
        ---
        {apiVersion: v1, kind: Namespace, metadata: {name: empty}}
        ---
        ${pod('implicit/p')}
        ---
        {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: p, namespace: policies-only}, spec: {podSelector: {}}}
      `);
      const ws = fx.workspace;
      assert.deepEqual(nsLabels(ws, 'shop'), { team: 'web', 'kubernetes.io/metadata.name': 'shop' });
      assert.deepEqual(nsLabels(ws, 'empty'), { 'kubernetes.io/metadata.name': 'empty' });
      assert.deepEqual(nsLabels(ws, 'implicit'), { 'kubernetes.io/metadata.name': 'implicit' });
      assert.deepEqual(nsLabels(ws, 'policies-only'), { 'kubernetes.io/metadata.name': 'policies-only' });
      assert.equal(ws.namespaces.get('shop')!.object?.kind, 'Namespace');
      assert.equal(ws.namespaces.get('implicit')!.object, undefined);
    });
  });

  describe('markers', () => {
    it('strips «» and ‸ and records their offsets', () => {
      const m = mark('a«bc»d‸e«f«g»»');
      assert.equal(m.text, 'abcdefg');
      assert.deepEqual(m.spans, [
        { start: 1, end: 3 },
        { start: 5, end: 7 },
        { start: 6, end: 7 },
      ]);
      assert.deepEqual(m.carets, [4]);
    });
  });
});
