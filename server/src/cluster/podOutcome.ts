// Reading a probe pod's status: finished (with the result lines of its termination
// message), failed, or stuck in a way that will not fix itself (an image that cannot be
// pulled), plus a one-line description of where a pending pod is stuck.

import { parseTerminationMessage, type ProbeWord } from './probePod';
import type { PodView } from './follower';
import type { WirePod } from './types';

export type PodOutcome =
  /** The container terminated; `results` has one entry per target it reported. */
  | { kind: 'finished'; results: Map<string, ProbeWord>; problem?: string }
  /** The pod cannot start and will not recover by waiting. */
  | { kind: 'cannot-start'; reason: string; problem: string }
  | { kind: 'deleted' };

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** Undefined while the pod is still on its way. */
export function podOutcome(view: PodView): PodOutcome | undefined {
  if (view === 'deleted') return { kind: 'deleted' };
  if (!view) return undefined;
  const status = view.status ?? {};
  const container = status.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    const results = parseTerminationMessage(terminated?.message);
    if (status.phase === 'Succeeded') return { kind: 'finished', results };
    const problem =
      status.reason === 'DeadlineExceeded'
        ? `the probe pod hit its activeDeadlineSeconds (${view.spec?.activeDeadlineSeconds ?? '?'} s) before reporting`
        : status.reason
          ? `the probe pod failed (${status.reason}${status.message ? `: ${status.message}` : ''})`
          : `the probe container failed (exit code ${terminated?.exitCode ?? '?'}${terminated?.reason ? `, ${terminated.reason}` : ''})`;
    return { kind: 'finished', results, problem };
  }
  const waiting = container?.state?.waiting;
  if (waiting?.reason && (IMAGE_REASONS.has(waiting.reason) || CONFIG_REASONS.has(waiting.reason))) {
    return {
      kind: 'cannot-start',
      reason: waiting.reason,
      problem: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
    };
  }
  return undefined;
}

export function isImageProblem(reason: string): boolean {
  return IMAGE_REASONS.has(reason);
}

/** Where a pod that has not finished is, for "ran out of time" messages. */
export function describePending(pod: WirePod | undefined): string {
  if (!pod) return 'not yet seen by the API server';
  const status = pod.status ?? {};
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return `Pending, not scheduled${scheduled.message ? ` (${scheduled.message})` : ''}`;
  }
  const waiting = status.containerStatuses?.[0]?.state?.waiting;
  if (waiting?.reason) return `${status.phase ?? 'Pending'}, container ${waiting.reason}`;
  return status.phase ?? 'Pending';
}
