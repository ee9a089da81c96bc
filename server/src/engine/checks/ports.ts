/**
 * Port checks (NR040-NR044): ports that do not mean what was written. Policies see pod
 * ports: a port without protocol is TCP, a Service port is not a pod port, and a port
 * name resolves on the destination pods (the selected pods for ingress, the peer pods for
 * egress), with the same protocol. NR045 (endPort support of the network plugin) needs
 * the live cluster and is not checked here.
 */
import type { Node } from 'yaml';
import { pairIn } from '../edits';
import type { Fix, RelatedLocation, Span } from '../findings';
import type { ContainerPort, Policy, PortSpec, Rule, Service, ServicePort, Workload } from '../model';
import type { Protocol } from '../ports';
import { portNameProblem } from '../read/policy';
import type { Check, CheckContext } from './context';
import { addPair, appendItem, mapAt, replaceScalar, seqAt } from './yamlFix';

/** Ports whose service is (almost) always UDP. DNS (53) uses both UDP and TCP. */
export const UDP_PORTS: ReadonlyMap<number, string> = new Map([
  [53, 'DNS'],
  [67, 'DHCP'],
  [68, 'DHCP'],
  [69, 'TFTP'],
  [123, 'NTP'],
  [161, 'SNMP'],
  [162, 'SNMP traps'],
  [500, 'IKE'],
  [514, 'syslog'],
  [1812, 'RADIUS'],
  [1813, 'RADIUS accounting'],
  [4500, 'IPsec NAT traversal'],
  [4789, 'VXLAN'],
  [5353, 'mDNS'],
  [6081, 'Geneve'],
  [8472, 'Flannel VXLAN'],
  [51820, 'WireGuard'],
]);

/** Well-known IANA service names, to convert a name when the workspace does not define it. */
const WELL_KNOWN_NAMES: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['https', 443],
  ['http-alt', 8080],
  ['https-alt', 8443],
  ['dns', 53],
  ['domain', 53],
  ['ssh', 22],
  ['ftp', 21],
  ['smtp', 25],
  ['smtps', 465],
  ['submission', 587],
  ['pop3', 110],
  ['pop3s', 995],
  ['imap', 143],
  ['imaps', 993],
  ['ntp', 123],
  ['snmp', 161],
  ['ldap', 389],
  ['ldaps', 636],
  ['postgres', 5432],
  ['postgresql', 5432],
  ['mysql', 3306],
  ['redis', 6379],
  ['mongodb', 27017],
  ['amqp', 5672],
  ['amqps', 5671],
  ['kafka', 9092],
  ['memcache', 11211],
  ['zookeeper', 2181],
]);

function portsSeqOf(rule: Rule) {
  return seqAt(rule.policy.object.file, rule.portsSpan);
}

/** `protocol/number` of each container port, per workload object (kept across edits). */
const listening = new WeakMap<Workload, ReadonlySet<string>>();

function listensOn(workload: Workload, protocolAndPort: string): boolean {
  let ports = listening.get(workload);
  if (!ports) {
    ports = new Set(workload.ports.map((p) => `${p.protocol}/${p.port}`));
    listening.set(workload, ports);
  }
  return ports.has(protocolAndPort);
}

/** A workload's named container ports by `name/protocol` (kept across edits). */
const portsByName = new WeakMap<Workload, ReadonlyMap<string, readonly ContainerPort[]>>();

function portsNamed(workload: Workload, nameAndProtocol: string): readonly ContainerPort[] {
  let byName = portsByName.get(workload);
  if (!byName) {
    const map = new Map<string, ContainerPort[]>();
    for (const port of workload.ports) {
      if (port.name === undefined) continue;
      const key = `${port.name}/${port.protocol}`;
      const list = map.get(key);
      if (list) list.push(port);
      else map.set(key, [port]);
    }
    portsByName.set(workload, (byName = map));
  }
  return byName.get(nameAndProtocol) ?? [];
}

/** The ports of some Services by `protocol/port` (kept with the list, which the context keeps across edits). */
const servicePortMaps = new WeakMap<readonly Service[], Map<string, { service: Service; port: ServicePort }[]>>();

/** The destinations of a rule's ports: the selected pods (ingress) or the peer pods (egress). */
class Destinations {
  private readonly selected = new Map<Policy, readonly Workload[]>();
  private readonly peers = new Map<Rule, readonly Workload[]>();

  constructor(private readonly context: CheckContext) {}

  of(rule: Rule): readonly Workload[] {
    if (rule.direction === 'ingress') {
      let list = this.selected.get(rule.policy);
      if (!list) {
        list = this.context.index.selectedWorkloads(rule.policy);
        this.selected.set(rule.policy, list);
      }
      return list;
    }
    let list = this.peers.get(rule);
    if (!list) {
      list = this.context.index.ruleMatch(rule).workloads;
      this.peers.set(rule, list);
    }
    return list;
  }

  /** The Service ports in front of a workload, by `protocol/port`. */
  servicePortsOf(workload: Workload): Map<string, { service: Service; port: ServicePort }[]> {
    const services = this.context.servicesOf(workload);
    let map = servicePortMaps.get(services);
    if (!map) {
      map = new Map();
      for (const service of services) {
        for (const port of service.ports) {
          const key = `${port.protocol}/${port.port}`;
          const list = map.get(key);
          if (list) list.push({ service, port });
          else map.set(key, [{ service, port }]);
        }
      }
      servicePortMaps.set(services, map);
    }
    return map;
  }
}

/** Whether names in this egress rule can only meet IP destinations (or any destination). */
function ipDestinations(rule: Rule): 'any' | 'ip' | undefined {
  if (rule.direction !== 'egress') return undefined;
  if (rule.anyPeer) return 'any';
  return rule.peers.length > 0 && rule.peers.every((p) => p.ipBlock && !p.podSelector && !p.namespaceSelector)
    ? 'ip'
    : undefined;
}

/** NR040: a usually-UDP port written without protocol, which means TCP. */
const udpPortAsTcp: Check = {
  codes: ['NR040'],
  run(context) {
    for (const policy of context.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const spec of rule.ports) {
          if (spec.protocolExplicit || typeof spec.port !== 'number' || spec.endPort !== undefined || !spec.portSpan)
            continue;
          const service = UDP_PORTS.get(spec.port);
          if (!service) continue;
          const port = spec.port;
          // A UDP entry for the same port beside it: the TCP one is on purpose.
          if (rule.ports.some((p) => p.protocol === 'UDP' && coversPort(p, port))) continue;
          const dns = port === 53;
          context.report({
            code: 'NR040',
            severity: 'warning',
            message: dns
              ? 'Port 53 without `protocol` means TCP only, but DNS queries go over UDP first: name resolution through this rule fails.'
              : `Port ${port} without \`protocol\` means TCP, but ${service} uses UDP: this entry does not open ${service} traffic.`,
            span: spec.portSpan,
            fixes: () => (dns ? addUdpEntryFix(rule, port) : setProtocolFix(rule, spec, 'UDP', true)),
            data: { port, service },
          });
        }
      }
    }
  },
};

function coversPort(spec: PortSpec, port: number): boolean {
  if (spec.port === undefined) return true;
  if (typeof spec.port !== 'number') return false;
  return spec.port <= port && port <= (spec.endPort ?? spec.port);
}

function addUdpEntryFix(rule: Rule, port: number): Fix[] {
  const seq = portsSeqOf(rule);
  if (!seq) return [];
  return [
    {
      title: `Add a UDP ${port} entry beside the TCP one`,
      edits: [appendItem(rule.policy.object.file, seq, { protocol: 'UDP', port })],
      preferred: true,
    },
  ];
}

/** Sets `protocol:` of a port entry (replacing it, or adding it). */
function setProtocolFix(rule: Rule, spec: PortSpec, protocol: Protocol, preferred: boolean): Fix[] {
  const file = rule.policy.object.file;
  const map = mapAt(file, spec.span);
  if (!map) return [];
  const existing = pairIn(map, 'protocol');
  const value = existing?.value as Node | null | undefined;
  if (existing && value?.range) {
    const span: Span = { uri: file.uri, start: value.range[0], end: value.range[1] };
    return [{ title: `Use protocol: ${protocol}`, edits: [replaceScalar(file, span, protocol)], preferred }];
  }
  return [
    {
      title: `Add protocol: ${protocol}`,
      edits: [addPair(file, map, 'protocol', protocol, spec.span.start)],
      preferred,
    },
  ];
}

/** NR041: a Service port where the pods listen on another (target) port. */
const servicePortUsed: Check = {
  codes: ['NR041'],
  run(context) {
    const destinations = new Destinations(context);
    for (const policy of context.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (rule.direction === 'egress' && ipDestinations(rule)) continue;
        for (const spec of rule.ports) {
          if (typeof spec.port !== 'number' || spec.endPort !== undefined || !spec.portSpan) continue;
          const port = spec.port;
          const workloads = destinations.of(rule);
          if (workloads.length === 0) continue;
          // Some destination listens on the port itself: the rule does what it says there.
          const protocolAndPort = `${spec.protocol}/${port}`;
          if (workloads.some((w) => listensOn(w, protocolAndPort))) continue;
          const targets = new Map<
            string,
            { target: number | string; numbers: Set<number>; service: Service; servicePort: ServicePort }
          >();
          for (const workload of workloads) {
            for (const { service, port: servicePort } of destinations.servicePortsOf(workload).get(protocolAndPort) ??
              []) {
              const target = servicePort.targetPort;
              const number =
                typeof target === 'number'
                  ? target
                  : workload.ports.find((p) => p.name === target && p.protocol === spec.protocol)?.port;
              if (number === port) continue;
              const key = String(target);
              const entry = targets.get(key) ?? { target, numbers: new Set<number>(), service, servicePort };
              if (number !== undefined) entry.numbers.add(number);
              targets.set(key, entry);
            }
          }
          if (targets.size === 0) continue;
          const list = [...targets.values()];
          const first = list[0];
          const describe = (t: (typeof list)[number]) =>
            typeof t.target === 'number'
              ? `${t.target}`
              : `\`${t.target}\`${t.numbers.size === 1 ? ` (${[...t.numbers][0]})` : ''}`;
          const file = policy.object.file;
          const portSpan = spec.portSpan;
          const fixes = (): Fix[] => {
            const result: Fix[] = [];
            for (const t of list) {
              const from = `the targetPort of Service ${t.service.namespace}/${t.service.name}`;
              if (typeof t.target === 'number') {
                result.push({
                  title: `Use the pod port ${t.target} (${from})`,
                  edits: [replaceScalar(file, portSpan, t.target)],
                  preferred: list.length === 1,
                });
              } else {
                result.push({
                  title: `Use the port name ${t.target} (${from})`,
                  edits: [replaceScalar(file, portSpan, t.target)],
                  preferred: list.length === 1,
                });
                if (t.numbers.size === 1) {
                  const n = [...t.numbers][0];
                  result.push({
                    title: `Use the pod port ${n} (what ${t.target} means on the pods)`,
                    edits: [replaceScalar(file, portSpan, n)],
                  });
                }
              }
            }
            return result;
          };
          context.report({
            code: 'NR041',
            severity: 'warning',
            message: `${port} is the port of Service ${first.service.namespace}/${first.service.name}, which forwards to the pods' port ${describe(first)}${list.length > 1 ? ` (and ${list.slice(1).map(describe).join(', ')} for other Services)` : ''}. Policies see pod ports, so this rule does not open the port the pods listen on.`,
            span: spec.portSpan,
            related: list.map((t) => ({
              span: t.servicePort.span,
              message: `Service ${t.service.namespace}/${t.service.name}: port ${port} -> targetPort ${t.target}`,
            })),
            fixes,
            data: { port, targets: list.map((t) => t.target) },
          });
        }
      }
    }
  },
};

/** NR042, NR043: a named port that the destination pods do not define, or define with different numbers. */
const namedPorts: Check = {
  codes: ['NR042', 'NR043'],
  run(context) {
    const destinations = new Destinations(context);
    for (const policy of context.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (ipDestinations(rule)) continue; // NR044
        for (const spec of rule.ports) {
          if (typeof spec.port !== 'string' || !spec.portSpan || portNameProblem(spec.port)) continue;
          const name = spec.port;
          const workloads = destinations.of(rule);
          if (workloads.length === 0) continue;
          const numbers = new Map<number, { workloads: Workload[]; port: ContainerPort }>();
          const nameAndProtocol = `${name}/${spec.protocol}`;
          for (const workload of workloads) {
            for (const port of portsNamed(workload, nameAndProtocol)) {
              const entry = numbers.get(port.port);
              // Each workload comes once, its ports together: it is the last one listed, or new.
              if (entry) {
                if (entry.workloads[entry.workloads.length - 1] !== workload) entry.workloads.push(workload);
              } else numbers.set(port.port, { workloads: [workload], port });
            }
          }
          const where =
            rule.direction === 'ingress' ? 'the pods this policy selects' : 'the destination pods of this rule';
          if (numbers.size === 0) {
            // What the destinations define instead: the name with other protocols, other names.
            const otherProtocols = new Set<Protocol>();
            const names = new Set<string>();
            for (const workload of workloads) {
              for (const port of workload.ports) {
                if (port.name === undefined) continue;
                if (port.protocol === spec.protocol) names.add(port.name);
                if (port.name === name && port.protocol !== spec.protocol) otherProtocols.add(port.protocol);
              }
            }
            const protocols = [...otherProtocols];
            const portSpan = spec.portSpan;
            const fixes = (): Fix[] => {
              const result: Fix[] = [];
              if (protocols.length === 1) result.push(...setProtocolFix(rule, spec, protocols[0], true));
              const candidates = [...names]
                .map((n) => ({ n, d: editDistance(n, name) }))
                .filter((c) => c.d <= Math.max(2, Math.floor(name.length / 2)))
                .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
                .slice(0, 3);
              for (const c of candidates) {
                result.push({
                  title: `Use the port name ${c.n}`,
                  edits: [replaceScalar(policy.object.file, portSpan, c.n)],
                  preferred: result.length === 0 && candidates.length === 1 && c.d <= 2,
                });
              }
              return result;
            };
            context.report({
              code: 'NR042',
              severity: 'warning',
              message:
                protocols.length > 0
                  ? `${where[0].toUpperCase()}${where.slice(1)} define \`${name}\` for ${protocols.join('/')} only, and this entry is ${spec.protocol}${spec.protocolExplicit ? '' : ' (no protocol)'}: it opens nothing.`
                  : `None of ${where} defines a ${spec.protocol} port named \`${name}\`, so this entry opens nothing.`,
              span: spec.portSpan,
              fixes,
              data: { name, protocol: spec.protocol },
            });
          } else if (numbers.size > 1) {
            const entries = [...numbers].sort((a, b) => a[0] - b[0]);
            const describe = entries
              .slice(0, 4)
              .map(
                ([n, e]) =>
                  `${n} on ${e.workloads
                    .slice(0, 2)
                    .map((w) => w.id)
                    .join(', ')}${e.workloads.length > 2 ? ` and ${e.workloads.length - 2} more` : ''}`,
              )
              .join('; ');
            const related: RelatedLocation[] = entries
              .filter(([, e]) => e.port.span.uri !== '')
              .map(([n, e]) => ({ span: e.port.span, message: `\`${name}\` is ${n} on ${e.workloads[0].id}` }));
            context.report({
              code: 'NR043',
              severity: 'info',
              message: `\`${name}\` means different ports on different destination pods (${describe}${entries.length > 4 ? '; ...' : ''}): this entry opens each pod's own number.`,
              span: spec.portSpan,
              related,
              data: { name, numbers: entries.map(([n]) => n) },
            });
          }
        }
      }
    }
  },
};

/** NR044: a port name toward IP destinations, where names cannot resolve. */
const namedPortToIps: Check = {
  codes: ['NR044'],
  run(context) {
    let byName: Map<string, Set<number>> | undefined;
    const resolve = (name: string, protocol: Protocol): { number: number; source: string } | undefined => {
      if (!byName) {
        byName = new Map();
        for (const workload of context.workspace.workloads) {
          for (const port of workload.ports) {
            if (port.name === undefined) continue;
            const key = `${port.protocol}/${port.name}`;
            const set = byName.get(key) ?? new Set<number>();
            set.add(port.port);
            byName.set(key, set);
          }
        }
      }
      const numbers = byName.get(`${protocol}/${name}`);
      if (numbers?.size === 1)
        return { number: [...numbers][0], source: `what ${name} means on the pods of the workspace` };
      if (numbers && numbers.size > 1) return undefined;
      const known = WELL_KNOWN_NAMES.get(name);
      return known === undefined ? undefined : { number: known, source: `the usual port of ${name}` };
    };
    for (const policy of context.policies) {
      for (const rule of policy.egress) {
        const kind = ipDestinations(rule);
        if (!kind) continue;
        for (const spec of rule.ports) {
          if (typeof spec.port !== 'string' || !spec.portSpan || portNameProblem(spec.port)) continue;
          const resolved = resolve(spec.port, spec.protocol);
          context.report({
            code: 'NR044',
            severity: 'warning',
            message:
              kind === 'ip'
                ? `Port names resolve on destination pods, and these destinations are IP addresses: \`${spec.port}\` opens nothing toward them.`
                : `This rule has no \`to\`: \`${spec.port}\` resolves only on pods that define it, so it opens nothing toward addresses outside the cluster.`,
            span: spec.portSpan,
            fixes: (): Fix[] =>
              resolved && spec.portSpan
                ? [
                    {
                      title: `Use port ${resolved.number} (${resolved.source})`,
                      edits: [replaceScalar(policy.object.file, spec.portSpan, resolved.number)],
                      preferred: true,
                    },
                  ]
                : [],
            data: { name: spec.port, number: resolved?.number },
          });
        }
      }
    }
  },
};

/** Levenshtein distance, for suggesting the nearest port name. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

// NR045 (endPort used while the network plugin may not implement it) needs the live
// cluster's plugin and version; it belongs to the cluster layer, not to these checks.

export const PORT_CHECKS: readonly Check[] = [udpPortAsTcp, servicePortUsed, namedPorts, namedPortToIps];
