/**
 * The check catalog: every code netreach reports, with its default severity and where
 * it is documented. Codes are stable: they are what users silence, what SARIF calls
 * `ruleId`, and what quick fixes dispatch on.
 */
import type { Severity } from '../findings';

export type CheckScope = 'file' | 'workspace' | 'cluster';

export interface CheckInfo {
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  readonly scope: CheckScope;
  readonly section: 'structure' | 'meaning' | 'ports' | 'dns' | 'ip-blocks' | 'coverage';
}

export const DOCS_BASE = 'https://github.com/netreach/netreach/blob/main/docs/checks.md';

export function docsUrl(code: string): string {
  return `${DOCS_BASE}#${code.toLowerCase()}`;
}

const CHECKS: readonly CheckInfo[] = [
  {
    code: 'NR001',
    title: 'ipBlock combined with a selector in one peer',
    severity: 'error',
    scope: 'file',
    section: 'structure',
  },
  { code: 'NR002', title: 'empty peer', severity: 'error', scope: 'file', section: 'structure' },
  { code: 'NR003', title: 'spec.podSelector missing', severity: 'error', scope: 'file', section: 'structure' },
  { code: 'NR004', title: 'endPort without port', severity: 'error', scope: 'file', section: 'structure' },
  { code: 'NR005', title: 'endPort with a named port', severity: 'error', scope: 'file', section: 'structure' },
  { code: 'NR006', title: 'endPort lower than port', severity: 'error', scope: 'file', section: 'structure' },
  { code: 'NR007', title: 'invalid port number or name', severity: 'error', scope: 'file', section: 'structure' },
  {
    code: 'NR008',
    title: 'protocol or policy type not exactly spelled',
    severity: 'error',
    scope: 'file',
    section: 'structure',
  },
  { code: 'NR009', title: 'invalid ipBlock CIDR or except', severity: 'error', scope: 'file', section: 'structure' },
  {
    code: 'NR010',
    title: 'CIDR with host bits set or leading zeros',
    severity: 'error',
    scope: 'file',
    section: 'structure',
  },
  { code: 'NR011', title: 'invalid label selector', severity: 'error', scope: 'file', section: 'structure' },
  {
    code: 'NR012',
    title: 'removed API version extensions/v1beta1',
    severity: 'error',
    scope: 'file',
    section: 'structure',
  },
  { code: 'NR013', title: 'object defined twice', severity: 'error', scope: 'workspace', section: 'structure' },
  {
    code: 'NR014',
    title: 'YAML syntax error or value of the wrong type',
    severity: 'error',
    scope: 'file',
    section: 'structure',
  },
  {
    code: 'NR020',
    title: 'rules ignored: policyTypes lacks their direction',
    severity: 'error',
    scope: 'file',
    section: 'meaning',
  },
  { code: 'NR021', title: 'policyTypes omitted: defaults apply', severity: 'info', scope: 'file', section: 'meaning' },
  {
    code: 'NR022',
    title: 'namespace and pod selectors split into two peers (OR)',
    severity: 'warning',
    scope: 'file',
    section: 'meaning',
  },
  {
    code: 'NR023',
    title: 'peers and ports split into two rules',
    severity: 'warning',
    scope: 'file',
    section: 'meaning',
  },
  { code: 'NR024', title: 'rule that allows everything', severity: 'warning', scope: 'file', section: 'meaning' },
  {
    code: 'NR025',
    title: 'rules made pointless by another allow-all policy',
    severity: 'warning',
    scope: 'workspace',
    section: 'meaning',
  },
  {
    code: 'NR026',
    title: 'rule or policy covered by others',
    severity: 'info',
    scope: 'workspace',
    section: 'meaning',
  },
  {
    code: 'NR027',
    title: 'pod selector matching only pods of other namespaces',
    severity: 'warning',
    scope: 'workspace',
    section: 'meaning',
  },
  {
    code: 'NR028',
    title: 'namespace selector on a label namespaces do not carry',
    severity: 'warning',
    scope: 'workspace',
    section: 'meaning',
  },
  { code: 'NR029', title: 'policy selects no workload', severity: 'warning', scope: 'workspace', section: 'meaning' },
  {
    code: 'NR030',
    title: 'peer selector matches nothing',
    severity: 'warning',
    scope: 'workspace',
    section: 'meaning',
  },
  {
    code: 'NR031',
    title: 'non-empty selector that matches everything',
    severity: 'info',
    scope: 'workspace',
    section: 'meaning',
  },
  {
    code: 'NR032',
    title: 'workload opened to the whole cluster or the internet',
    severity: 'warning',
    scope: 'file',
    section: 'meaning',
  },
  { code: 'NR033', title: 'metadata.namespace missing', severity: 'warning', scope: 'file', section: 'meaning' },
  { code: 'NR034', title: 'dead rule', severity: 'warning', scope: 'workspace', section: 'meaning' },
  {
    code: 'NR040',
    title: 'usually-UDP port without protocol (TCP)',
    severity: 'warning',
    scope: 'file',
    section: 'ports',
  },
  {
    code: 'NR041',
    title: 'Service port used instead of the pod port',
    severity: 'warning',
    scope: 'workspace',
    section: 'ports',
  },
  {
    code: 'NR042',
    title: 'named port not defined on the destination pods',
    severity: 'warning',
    scope: 'workspace',
    section: 'ports',
  },
  {
    code: 'NR043',
    title: 'port name with different numbers on different pods',
    severity: 'info',
    scope: 'workspace',
    section: 'ports',
  },
  { code: 'NR044', title: 'named port toward IP destinations', severity: 'warning', scope: 'file', section: 'ports' },
  {
    code: 'NR045',
    title: 'endPort may not be implemented by the network plugin',
    severity: 'info',
    scope: 'cluster',
    section: 'ports',
  },
  { code: 'NR050', title: 'egress isolation without DNS', severity: 'warning', scope: 'workspace', section: 'dns' },
  { code: 'NR051', title: 'DNS allowed on UDP only', severity: 'warning', scope: 'file', section: 'dns' },
  {
    code: 'NR052',
    title: 'DNS rule misses NodeLocal DNSCache',
    severity: 'warning',
    scope: 'workspace',
    section: 'dns',
  },
  { code: 'NR053', title: 'DNS allowed to any destination', severity: 'info', scope: 'file', section: 'dns' },
  { code: 'NR060', title: 'ipBlock covering pod IPs', severity: 'warning', scope: 'workspace', section: 'ip-blocks' },
  {
    code: 'NR061',
    title: '0.0.0.0/0 without excepting private ranges',
    severity: 'warning',
    scope: 'file',
    section: 'ip-blocks',
  },
  {
    code: 'NR062',
    title: 'egress to 0.0.0.0/0 includes the cloud metadata address',
    severity: 'warning',
    scope: 'file',
    section: 'ip-blocks',
  },
  {
    code: 'NR063',
    title: 'ingress ipBlock behind a Service that rewrites sources',
    severity: 'info',
    scope: 'workspace',
    section: 'ip-blocks',
  },
  {
    code: 'NR064',
    title: 'egress ipBlock aimed at a Service ClusterIP',
    severity: 'info',
    scope: 'workspace',
    section: 'ip-blocks',
  },
  { code: 'NR070', title: 'workload selected by no policy', severity: 'info', scope: 'workspace', section: 'coverage' },
  {
    code: 'NR071',
    title: 'namespace without a default-deny policy',
    severity: 'info',
    scope: 'workspace',
    section: 'coverage',
  },
  {
    code: 'NR072',
    title: 'policy applying to host-network pods',
    severity: 'warning',
    scope: 'workspace',
    section: 'coverage',
  },
];

export const CATALOG: ReadonlyMap<string, CheckInfo> = new Map(CHECKS.map((c) => [c.code, c]));

export function allChecks(): readonly CheckInfo[] {
  return CHECKS;
}
