/** Generated manifests for the robustness tests and benchmarks. */

/**
 * About `lines` lines of Deployments and NetworkPolicies in 50 namespaces: each policy lets
 * in the next tier and lets out to the next app; every other one leaves policyTypes out
 * (a finding with a fix each, NR021).
 */
export function manyPolicies(lines: number): string {
  const parts: string[] = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const ns = `ns${i % 50}`;
    const deployment = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: app${i}, namespace: ${ns}}`,
      'spec:',
      `  selector: {matchLabels: {app: app${i}}}`,
      '  template:',
      '    metadata:',
      `      labels: {app: app${i}, tier: t${i % 7}}`,
      '    spec:',
      '      containers:',
      '        - name: c',
      '          image: i',
      '          ports:',
      '            - {name: http, containerPort: 8080}',
    ];
    const policy = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      `metadata: {name: p${i}, namespace: ${ns}}`,
      'spec:',
      `  podSelector: {matchLabels: {app: app${i}}}`,
      ...(i % 2 === 0 ? ['  policyTypes: [Ingress, Egress]'] : []),
      '  ingress:',
      '    - from:',
      `        - podSelector: {matchLabels: {tier: t${(i + 1) % 7}}}`,
      '      ports:',
      '        - port: http',
      '  egress:',
      '    - to:',
      '        - namespaceSelector: {}',
      `          podSelector: {matchLabels: {app: app${i + 1}}}`,
    ];
    parts.push([...deployment, '---', ...policy].join('\n'));
    count += deployment.length + policy.length + 2;
  }
  return parts.join('\n---\n') + '\n';
}
