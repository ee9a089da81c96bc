// The live-cluster layer: reading the cluster and running probes. See runner.ts for the
// probe runner's API and docs/probing.md for the design.
export {
  connect,
  readClusterObjects,
  type ClusterObjects,
  type ClusterTarget,
  type ConnectOptions,
  type KubeClient,
} from './client';
export { ClusterError, describePermission, type ClusterErrorKind, type Permission } from './errors';
export { findKubeconfigFiles, type KubeconfigOptions } from './kubeconfig';
export { requiredPermissions, type AdoptionFinding, type PreflightReport } from './preflight';
export { DEFAULT_PROBE_IMAGE, formatTarget, type Endpoint, type ProbeProtocol } from './probePod';
export type { CleanupReport, SweepReport } from './cleanup';
export {
  ProbeRunner,
  type Observed,
  type ProbePreview,
  type ProbeResult,
  type ProbeSource,
  type ProbeTarget,
  type RunOptions,
  type RunPlan,
  type RunProgress,
  type RunReport,
} from './runner';
export type { WireObject } from './types';
