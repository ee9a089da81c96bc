// What a test tells the double about "its cluster": objects, RBAC, timing, faults, and how
// each probe pod fares.

import type { FaultRule, Verb } from './faults';
import type { KubeObject, Pod } from './types';

export type ProbeWord = 'CONNECTED' | 'TIMEOUT' | 'REFUSED' | 'DNS' | 'OTHER';

/** One entry of a probe pod's NETREACH_TARGETS, e.g. `TCP/10.244.0.11:8080`. */
export interface ProbeTarget {
  text: string;
  proto: string;
  ip: string;
  port: number;
}

/** How a created pod behaves after admission. */
export type PodBehaviour =
  /** Scheduled, runs, writes the probe results, succeeds (the default). */
  | { kind: 'run'; scheduleMs?: number; runMs?: number }
  /** Never scheduled: Pending with PodScheduled=False. activeDeadlineSeconds never fires (the kubelet never sees it). */
  | { kind: 'unschedulable'; message?: string }
  /** Scheduled, but the image cannot be pulled: ErrImagePull, then ImagePullBackOff. */
  | { kind: 'image-pull-error'; message?: string }
  /** The container exits non-zero without writing results (e.g. no /bin/sh in the image). */
  | { kind: 'crash'; exitCode?: number; message?: string }
  /** Runs and never finishes (until activeDeadlineSeconds). */
  | { kind: 'hang' };

export interface Timing {
  /** Creation -> scheduled (nodeName, PodScheduled=True, ContainerCreating). */
  scheduleMs: number;
  /** Scheduled -> Running (podIP assigned). */
  startMs: number;
  /** Running -> terminated with results. */
  runMs: number;
  /** Real milliseconds per API "second" (activeDeadlineSeconds, watch timeoutSeconds). */
  secondMs: number;
}

export const DEFAULT_TIMING: Timing = { scheduleMs: 10, startMs: 10, runMs: 20, secondMs: 1000 };

export interface Attributes {
  verb: Verb | string;
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface Scenario {
  /** Bearer token the double accepts (default: a fixed test token). */
  token?: string;
  /** The user name RBAC messages mention. */
  user?: string;
  /** Namespaces to create: names, or name + labels (e.g. pod-security.kubernetes.io/enforce). */
  namespaces?: (string | { name: string; labels?: Record<string, string> })[];
  /** Any other objects to seed (pods, services, policies, replicasets...). */
  objects?: KubeObject[];
  timing?: Partial<Timing>;
  /** The network: what a probe from `source` to `target` observes (default CONNECTED). */
  connect?: (source: Pod, target: ProbeTarget) => ProbeWord;
  /** Per-pod behaviour (default: run). */
  pod?: (pod: Pod) => PodBehaviour | undefined;
  /** RBAC: whether the user may do this (default: everything). Answers SelfSubjectAccessReviews too. */
  authorize?: (attributes: Attributes) => boolean;
  faults?: FaultRule[];
}
