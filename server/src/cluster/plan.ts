// Turning a run plan into probe pod tasks: validation, the targets that cannot be probed
// (and why), de-duplication of endpoints, and batching within the 4 KiB result limit.

import { batchTargets, formatTarget, invalidTarget } from './probePod';
import type { ProbeSource, ProbeTarget, RunPlan } from './runner';

/** One probe pod's work: a source and a batch of its targets. */
export interface PodTask {
  name: string;
  source: ProbeSource;
  /** Formatted target -> the ids probed by it (the same endpoint may appear under several ids). */
  targets: Map<string, string[]>;
  /** Where the pod was when last seen, for "ran out of time" details. */
  lastSeen?: string;
}

/** Groups a plan's probeable targets into pod tasks; reports the rest as skipped. */
export function planTasks(
  plan: RunPlan,
  o: { maxTargetsPerPod: number; allowSctp: boolean },
  namePrefix: string,
  include: (target: ProbeTarget) => boolean,
): { tasks: PodTask[]; skipped: { id: string; reason: string }[] } {
  const tasks: PodTask[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const source of plan.sources) {
    const byEndpoint = new Map<string, string[]>();
    for (const target of source.targets) {
      if (!include(target)) continue;
      const invalid = invalidTarget(target);
      if (invalid) {
        skipped.push({ id: target.id, reason: `not probed: ${invalid}` });
      } else if (target.proto === 'SCTP' && !o.allowSctp) {
        skipped.push({
          id: target.id,
          reason:
            'not probed: SCTP probing is off by default (it can load the sctp kernel module on nodes); enable it explicitly',
        });
      } else {
        const key = formatTarget(target);
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), target.id]);
      }
    }
    for (const batch of batchTargets([...byEndpoint.keys()], o.maxTargetsPerPod)) {
      tasks.push({
        name: `${namePrefix}${tasks.length}`,
        source,
        targets: new Map(batch.map((t) => [t, byEndpoint.get(t)!])),
      });
    }
  }
  return { tasks, skipped };
}

export function validatePlan(plan: RunPlan): void {
  const ids = new Set<string>();
  for (const source of plan.sources) {
    for (const target of source.targets) {
      if (ids.has(target.id)) throw new TypeError(`probe plan: target id "${target.id}" is used twice`);
      ids.add(target.id);
    }
  }
}
