// A subset of Pod Security admission (baseline + restricted), enforced when the namespace
// carries `pod-security.kubernetes.io/enforce`. The wording follows the real admission
// plugin so error classification is tested against realistic text.

import type { Container, Pod } from './types';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function allContainers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
}

function names(containers: Container[]): string {
  const quoted = containers.map((c) => `"${c.name}"`);
  return `${containers.length === 1 ? 'container' : 'containers'} ${quoted.join(', ')}`;
}

/** Returns the violations, each in the admission plugin's words; empty when admitted. */
export function checkPodSecurity(pod: Pod, level: PodSecurityLevel): string[] {
  if (level === 'privileged') return [];
  const violations: string[] = [];
  const containers = allContainers(pod);
  const spec = pod.spec;

  const hostNs = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
  if (hostNs.length) violations.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(', ')})`);
  const privileged = containers.filter((c) => c.securityContext?.privileged === true);
  if (privileged.length)
    violations.push(`privileged (${names(privileged)} must not set securityContext.privileged=true)`);
  const addsCaps = containers.filter((c) =>
    (c.securityContext?.capabilities?.add ?? []).some((cap) => !BASELINE_CAPS.has(cap)),
  );
  if (addsCaps.length) violations.push(`non-default capabilities (${names(addsCaps)} must not include them)`);
  const hostPath = (spec.volumes ?? []).filter((v) => 'hostPath' in v);
  if (hostPath.length) violations.push(`hostPath volumes (volumes ${hostPath.map((v) => `"${v.name}"`).join(', ')})`);
  const hostPorts = containers.filter((c) => (c.ports ?? []).some((p) => p.hostPort));
  if (hostPorts.length) violations.push(`hostPort (${names(hostPorts)} use hostPorts)`);
  if (level === 'baseline') return violations;

  const restrictedVolumes = (spec.volumes ?? []).filter((v) => !Object.keys(v).some((k) => RESTRICTED_VOLUMES.has(k)));
  if (restrictedVolumes.length) {
    violations.push(`restricted volume types (volumes ${restrictedVolumes.map((v) => `"${v.name}"`).join(', ')})`);
  }
  const escalation = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (escalation.length) {
    violations.push(
      `allowPrivilegeEscalation != false (${names(escalation)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  }
  const caps = containers.filter((c) => {
    const cap = c.securityContext?.capabilities;
    return !(cap?.drop ?? []).includes('ALL') || (cap?.add ?? []).some((a) => a !== 'NET_BIND_SERVICE');
  });
  if (caps.length) {
    violations.push(`unrestricted capabilities (${names(caps)} must set securityContext.capabilities.drop=["ALL"])`);
  }
  const podNonRoot = spec.securityContext?.runAsNonRoot === true;
  const rootish = containers.filter((c) => {
    const own = c.securityContext?.runAsNonRoot;
    return own === false || (own === undefined && !podNonRoot);
  });
  if (rootish.length) {
    violations.push(`runAsNonRoot != true (pod or ${names(rootish)} must set securityContext.runAsNonRoot=true)`);
  }
  const uid0 = spec.securityContext?.runAsUser === 0 || containers.some((c) => c.securityContext?.runAsUser === 0);
  if (uid0) violations.push('runAsUser=0 (pod and containers must not set runAsUser=0)');
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  const okSeccomp = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const noSeccomp = containers.filter((c) => {
    const own = c.securityContext?.seccompProfile?.type;
    return own !== undefined ? !okSeccomp(own) : !okSeccomp(podSeccomp);
  });
  if (noSeccomp.length) {
    violations.push(
      `seccompProfile (pod or ${names(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  }
  return violations;
}
