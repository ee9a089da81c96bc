// What the scheduler and kubelet would do to a created pod: Pending -> Running ->
// Succeeded/Failed, driven by short real timers so tests stay fast, with probe results
// decided by the scenario and written as the termination message.

import type { PodBehaviour, ProbeTarget, ProbeWord, Scenario, Timing } from './scenario';
import type { Store } from './store';
import type { ContainerStatus, KubeObject, Pod, PodCondition, PodStatus } from './types';

/** The kubelet keeps at most this many bytes of a termination message: the tail of the file. */
export const MAX_TERMINATION_MESSAGE = 4096;

function iso(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function parseTargets(value: string | undefined): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  for (const text of (value ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^([A-Z]+)\/(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
    if (m) out.push({ text, proto: m[1], ip: m[2] ?? m[3], port: Number(m[4]) });
    else out.push({ text, proto: '', ip: '', port: 0 });
  }
  return out;
}

function condition(type: string, status: PodCondition['status'], reason?: string, message?: string): PodCondition {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastTransitionTime: iso() };
}

function setConditions(status: PodStatus, ...conditions: PodCondition[]): void {
  const byType = new Map((status.conditions ?? []).map((c) => [c.type, c]));
  for (const c of conditions) byType.set(c.type, c);
  status.conditions = [...byType.values()];
}

function containerStatuses(pod: Pod, state: ContainerStatus['state'], ready = false): ContainerStatus[] {
  return pod.spec.containers.map((c) => ({
    name: c.name,
    image: c.image,
    ready,
    started: 'running' in state,
    restartCount: 0,
    state,
  }));
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export class PodLifecycle {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private nextIp = 10;

  constructor(
    private readonly store: Store,
    private readonly scenario: Scenario,
    private readonly timing: Timing,
  ) {}

  /** Initial status of a freshly created pod. */
  initialStatus(): PodStatus {
    return { phase: 'Pending', qosClass: 'Burstable' };
  }

  start(pod: Pod): void {
    const behaviour: PodBehaviour = this.scenario.pod?.(pod) ?? { kind: 'run' };
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const scheduleMs =
      behaviour.kind === 'run' ? (behaviour.scheduleMs ?? this.timing.scheduleMs) : this.timing.scheduleMs;
    const runMs = behaviour.kind === 'run' ? (behaviour.runMs ?? this.timing.runMs) : this.timing.runMs;

    if (behaviour.kind === 'unschedulable') {
      this.after(ns, name, scheduleMs, (p) => {
        setConditions(
          p.status!,
          condition(
            'PodScheduled',
            'False',
            'Unschedulable',
            behaviour.message ?? '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.',
          ),
        );
      });
      return;
    }

    this.after(ns, name, scheduleMs, (p) => {
      p.spec.nodeName = 'node-1';
      p.status!.hostIP = '172.18.0.2';
      p.status!.startTime = iso();
      setConditions(
        p.status!,
        condition('PodScheduled', 'True'),
        condition('Initialized', 'True'),
        condition('ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [probe]'),
        condition('Ready', 'False', 'ContainersNotReady', 'containers with unready status: [probe]'),
      );
      p.status!.containerStatuses = containerStatuses(p, { waiting: { reason: 'ContainerCreating' } });
      // The kubelet enforces activeDeadlineSeconds from startTime, so only scheduled pods expire.
      if (p.spec.activeDeadlineSeconds !== undefined) {
        this.after(ns, name, p.spec.activeDeadlineSeconds * this.timing.secondMs, (q) => this.expire(q));
      }
      if (behaviour.kind === 'image-pull-error') {
        const image = p.spec.containers[0]?.image ?? '';
        const message =
          behaviour.message ??
          `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
        p.status!.containerStatuses = containerStatuses(p, { waiting: { reason: 'ErrImagePull', message } });
        this.after(ns, name, this.timing.startMs, (q) => {
          q.status!.containerStatuses = containerStatuses(q, {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
          });
        });
        return;
      }
      this.after(ns, name, this.timing.startMs, (q) => {
        const ip = `10.244.1.${this.nextIp++}`;
        q.status!.phase = 'Running';
        q.status!.podIP = ip;
        q.status!.podIPs = [{ ip }];
        q.status!.containerStatuses = containerStatuses(q, { running: { startedAt: iso() } }, true);
        setConditions(q.status!, condition('ContainersReady', 'True'), this.readyCondition(q));
        if (behaviour.kind === 'hang') return;
        this.after(ns, name, runMs, (r) => this.finish(r, behaviour));
      });
    });
  }

  /** Ready stays False while a readiness gate's condition is missing or not True. */
  private readyCondition(pod: Pod): PodCondition {
    for (const gate of pod.spec.readinessGates ?? []) {
      const c = pod.status?.conditions?.find((x) => x.type === gate.conditionType);
      if (c?.status !== 'True') {
        return condition(
          'Ready',
          'False',
          'ReadinessGatesNotReady',
          `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`,
        );
      }
    }
    return condition('Ready', 'True');
  }

  private finish(pod: Pod, behaviour: PodBehaviour): void {
    const startedAt = pod.status?.containerStatuses?.[0]?.state.running?.startedAt;
    let exitCode = 0;
    let message: string;
    if (behaviour.kind === 'crash') {
      exitCode = behaviour.exitCode ?? 127;
      message = behaviour.message ?? '';
    } else {
      const env = pod.spec.containers[0]?.env ?? [];
      const targets = parseTargets(env.find((e) => e.name === 'NETREACH_TARGETS')?.value);
      const lines = targets.map((t) => `${t.text} ${this.observe(pod, t)}\n`);
      message = lines.join('');
    }
    const bytes = Buffer.from(message);
    if (bytes.length > MAX_TERMINATION_MESSAGE) {
      message = bytes.subarray(bytes.length - MAX_TERMINATION_MESSAGE).toString();
    }
    pod.status!.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    pod.status!.containerStatuses = containerStatuses(pod, {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: iso(),
      },
    });
    const reason = exitCode === 0 ? 'PodCompleted' : 'PodFailed';
    setConditions(pod.status!, condition('ContainersReady', 'False', reason), condition('Ready', 'False', reason));
  }

  private observe(pod: Pod, target: ProbeTarget): ProbeWord {
    if (!target.proto) return 'OTHER';
    return this.scenario.connect?.(pod, target) ?? 'CONNECTED';
  }

  private expire(pod: Pod): void {
    pod.status!.phase = 'Failed';
    pod.status!.reason = 'DeadlineExceeded';
    pod.status!.message = 'Pod was active on the node longer than the specified deadline';
    const startedAt = pod.status?.containerStatuses?.[0]?.state.running?.startedAt;
    pod.status!.containerStatuses = containerStatuses(pod, {
      terminated: { exitCode: 137, reason: 'Error', startedAt, finishedAt: iso() },
    });
    setConditions(
      pod.status!,
      condition('ContainersReady', 'False', 'PodFailed'),
      condition('Ready', 'False', 'PodFailed'),
    );
  }

  /** Runs `change` on the stored pod after `ms`, unless it is gone or already finished. */
  private after(namespace: string, name: string, ms: number, change: (pod: Pod) => void): void {
    const key = `${namespace}/${name}`;
    const timer = setTimeout(() => {
      this.timers.get(key)?.delete(timer);
      const current = this.store.get('pods', namespace, name) as Pod | undefined;
      if (!current || isTerminal(current)) return;
      this.store.update('pods', namespace, name, (o: KubeObject) => {
        const pod = o as Pod;
        pod.status ??= {};
        change(pod);
      });
    }, ms);
    let set = this.timers.get(key);
    if (!set) this.timers.set(key, (set = new Set()));
    set.add(timer);
  }

  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    for (const t of this.timers.get(key) ?? []) clearTimeout(t);
    this.timers.delete(key);
  }

  stop(): void {
    for (const set of this.timers.values()) for (const t of set) clearTimeout(t);
    this.timers.clear();
  }
}
