// The Kubernetes API test double (see server.ts) and its helpers.
export { KubeApiDouble, DEFAULT_TOKEN, type RecordedRequest, type ReceivedObject } from './server';
export { faults, type FaultRule, type FaultAction, type Verb } from './faults';
export { writeKubeconfig, kubeconfigYaml, type KubeconfigOptions } from './kubeconfig';
export { parseTargets, MAX_TERMINATION_MESSAGE } from './podLifecycle';
export type { Scenario, PodBehaviour, ProbeTarget, ProbeWord, Timing, Attributes } from './scenario';
export type { KubeObject, Pod, PodStatus, ContainerStatus } from './types';
