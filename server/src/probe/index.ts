// Live reachability probes: the cluster as engine input, the editor-versus-cluster policy
// comparison, the planner, verdicts, the session shared by the CLI and the VS Code
// command, and the words for all of it. Design: docs/probing.md.
export * from './clusterSources';
export * from './policyDiff';
export * from './planner';
export * from './verdict';
export * from './session';
export * from './format';
export * from './editorScope';
export * from './kubeContext';
export { runProbeCli } from './cli';
