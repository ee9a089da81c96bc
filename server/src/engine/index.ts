/**
 * The netreach analysis engine: pure functions from manifest text to a model, the
 * NetworkPolicy semantics, a reachability index and findings. No editor, protocol,
 * cluster or file system access: adapters bring text in and take answers out.
 */
export * from './findings';
export * from './yamlFile';
export * from './objects';
export * from './model';
export * from './labels';
export * from './ip';
export * from './ports';
export * from './semantics';
export * from './workspace';
export { isKustomizationFile } from './kustomize';
export * from './reachability';
export * from './connlist';
export * from './exactness';
export * from './explain';
export * from './lint';
export * from './edits';
export { CATALOG, docsUrl, allChecks, type CheckInfo } from './checks/catalog';
export * from './describe';
export * from './explainText';
