// The probe pod, exactly as docs/probing.md "The probe pod" describes it: the source's
// identity (namespace + the labels policies select on), and nothing that could make it
// receive traffic, be adopted, keep running, or need privileges.

import { CONTROLLER_MANAGED_KEYS } from '../engine/labels';
import type { OwnerReference, WireObject, WirePod } from './types';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'netreach';
export const RUN_ID_LABEL = 'netreach.io/run-id';
/** Selects every object netreach ever created (for the stale sweep). */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
/** A readiness gate condition nobody sets: the kubelet keeps the pod NotReady, so no Service routes to it. */
export const READINESS_GATE = 'netreach.io/never-ready';
/** On the run's ConfigMap: when its pods are certainly dead, so a later sweep may delete it. */
export const EXPIRES_ANNOTATION = 'netreach.io/expires-at';

/**
 * agnhost: the Kubernetes e2e tests' image, with /bin/sh and the `connect` subcommand.
 * 2.53 is the tag the upstream e2e manifests and the Kubernetes docs pin at the time of
 * writing. Override it (--image) for air-gapped registries; the image must provide
 * /bin/sh and /agnhost.
 */
export const DEFAULT_PROBE_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

/** The kubelet keeps at most this many bytes of a container's termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;

/**
 * Label keys that controllers set on the pods they create (the engine's list). Copying them
 * onto a probe pod would make it look like a member of a ReplicaSet/StatefulSet/Job (and
 * they never appear in NetworkPolicy selectors in practice), so they are never copied.
 */
export { CONTROLLER_MANAGED_KEYS };

export type ProbeProtocol = 'TCP' | 'UDP' | 'SCTP';
export type ProbeWord = 'CONNECTED' | 'TIMEOUT' | 'REFUSED' | 'DNS' | 'OTHER';
const WORDS = new Set<string>(['CONNECTED', 'TIMEOUT', 'REFUSED', 'DNS', 'OTHER']);

export interface Endpoint {
  proto: ProbeProtocol;
  ip: string;
  port: number;
}

/** `TCP/10.244.0.11:8080`, `TCP/[fd00::1]:8080`: the form in NETREACH_TARGETS and in result lines. */
export function formatTarget(t: Endpoint): string {
  const host = t.ip.includes(':') ? `[${t.ip}]` : t.ip;
  return `${t.proto}/${host}:${t.port}`;
}

/** Why a target cannot be probed, or undefined when it can. */
export function invalidTarget(t: Endpoint): string | undefined {
  if (!['TCP', 'UDP', 'SCTP'].includes(t.proto)) return `unknown protocol "${t.proto}"`;
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `port ${t.port} is out of range`;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t.ip);
  const ok = v4 ? v4.slice(1).every((o) => Number(o) <= 255) : /^[0-9a-fA-F:]+$/.test(t.ip) && t.ip.includes(':');
  // Only IP literals: a host name would make the probe pod depend on DNS (and on policies for it).
  if (!ok) return `"${t.ip}" is not an IP address`;
  return undefined;
}

/** Bytes one result line can take: `<target> CONNECTED\n` is the longest. */
function lineBytes(target: string): number {
  return Buffer.byteLength(target) + ' CONNECTED\n'.length;
}

/**
 * Splits a source's targets across pods so each pod's result lines fit in the 4 KiB
 * termination message (the kubelet keeps only the tail of a longer one) and no pod
 * probes more than `maxPerPod` targets.
 */
export function batchTargets(targets: string[], maxPerPod: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const t of targets) {
    const size = lineBytes(t);
    if (current.length && (current.length >= maxPerPod || bytes + size > TERMINATION_MESSAGE_LIMIT)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(t);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Result lines (`PROTO/IP:PORT RESULT`) from a termination message; other lines are ignored. */
export function parseTerminationMessage(message: string | undefined): Map<string, ProbeWord> {
  const results = new Map<string, ProbeWord>();
  for (const line of (message ?? '').split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (m && WORDS.has(m[2])) results.set(m[1], m[2] as ProbeWord);
  }
  return results;
}

/**
 * The labels of a probe pod: the source's identity minus controller-managed keys, plus
 * ours. Returns the keys it dropped so the caller can say so.
 */
export function probeLabels(
  identity: Record<string, string>,
  runId: string,
): { labels: Record<string, string>; dropped: string[] } {
  const labels: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(identity)) {
    if (CONTROLLER_MANAGED_KEYS.has(key) || key === MANAGED_BY_LABEL || key === RUN_ID_LABEL) dropped.push(key);
    else labels[key] = value;
  }
  labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
  labels[RUN_ID_LABEL] = runId;
  return { labels, dropped };
}

/**
 * The probe program: POSIX sh around `agnhost connect`, all targets in parallel so a pod's
 * run time is settle + one connect timeout whatever the number of targets. Each result is
 * one short line appended to the termination log (appends this small are atomic) and
 * echoed to stdout for `kubectl logs`. `set -f`: IPv6 targets contain `[...]`, which the
 * shell would otherwise treat as a glob. Always exits 0: a failed connection is a result,
 * not a failure.
 */
export const PROBE_SCRIPT = [
  'set -uf',
  'sleep "$NETREACH_SETTLE_SECONDS"',
  'for t in $NETREACH_TARGETS; do',
  '  (',
  '    case "${t%%/*}" in TCP) p=tcp ;; UDP) p=udp ;; SCTP) p=sctp ;; *) p= ;; esac',
  '    if [ -z "$p" ]; then r=OTHER',
  '    elif o=$(/agnhost connect "${t#*/}" --protocol="$p" --timeout="${NETREACH_CONNECT_TIMEOUT}s" 2>&1); then r=CONNECTED',
  '    else case "$o" in TIMEOUT*) r=TIMEOUT ;; REFUSED*) r=REFUSED ;; DNS*) r=DNS ;; *) r=OTHER ;; esac',
  '    fi',
  '    echo "$t $r" >> /dev/termination-log',
  '    echo "$t $r"',
  '  ) &',
  'done',
  'wait',
  'exit 0',
].join('\n');

export interface RunOwner {
  name: string;
  uid: string;
}

export function ownerConfigMapName(runId: string): string {
  return `netreach-${runId}`;
}

/**
 * The per-run ConfigMap each probe pod names as its controller. A pod with a controller
 * ownerReference is never adopted by a ReplicaSet/DaemonSet/Job whose selector matches
 * its labels, and deleting the ConfigMap lets the garbage collector remove stray pods.
 */
export function buildOwnerConfigMap(runId: string, namespace: string, expiresAt: Date): WireObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ownerConfigMapName(runId),
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_ID_LABEL]: runId },
      annotations: { [EXPIRES_ANNOTATION]: expiresAt.toISOString() },
    },
    data: {
      purpose: 'Owner of the netreach reachability probe pods of this run. Safe to delete; deleting it deletes them.',
    },
  };
}

export interface ProbePodOptions {
  name: string;
  namespace: string;
  runId: string;
  /** The source's identity labels (controller-managed keys are dropped). */
  identity: Record<string, string>;
  /** Formatted targets (formatTarget). */
  targets: string[];
  owner: RunOwner;
  image?: string;
  imagePullSecrets?: string[];
  connectTimeoutSeconds: number;
  settleSeconds: number;
  activeDeadlineSeconds: number;
}

export function buildProbePod(o: ProbePodOptions): WirePod {
  const owner: OwnerReference = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: o.owner.name,
    uid: o.owner.uid,
    controller: true,
    // true would need `update` on configmaps/finalizers (OwnerReferencesPermissionEnforcement).
    blockOwnerDeletion: false,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: probeLabels(o.identity, o.runId).labels,
      annotations: {
        'kubernetes.io/description': 'netreach reachability probe: short-lived, deletes itself; safe to delete.',
        // Mesh sidecars would change what the probe observes and keep the pod alive.
        'sidecar.istio.io/inject': 'false',
        'linkerd.io/inject': 'disabled',
      },
      ownerReferences: [owner],
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: o.activeDeadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      readinessGates: [{ conditionType: READINESS_GATE }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(o.imagePullSecrets?.length ? { imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })) } : {}),
      containers: [
        {
          name: 'probe',
          image: o.image ?? DEFAULT_PROBE_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', PROBE_SCRIPT],
          env: [
            { name: 'NETREACH_TARGETS', value: o.targets.join(' ') },
            { name: 'NETREACH_CONNECT_TIMEOUT', value: String(o.connectTimeoutSeconds) },
            { name: 'NETREACH_SETTLE_SECONDS', value: String(o.settleSeconds) },
          ],
          resources: {
            requests: { cpu: '10m', memory: '16Mi' },
            limits: { cpu: '100m', memory: '64Mi' },
          },
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
          },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
    },
  };
}
