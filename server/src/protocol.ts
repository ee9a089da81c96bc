/**
 * What the netreach client and server say to each other beyond standard LSP: settings
 * and custom requests, declared once and imported by both sides. Types only (and method
 * names), so the client bundle pulls in nothing else.
 */

export type CheckSetting = 'off' | 'error' | 'warning' | 'info';

/** The `netreach.*` settings, as the server reads them (per workspace). */
export interface NetreachSettings {
  /** Per check code: turn it off or change its severity. */
  readonly checks: Readonly<Record<string, CheckSetting>>;
  /** Globs (relative to a workspace folder) of the manifests to index. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Whether an ipBlock also matches pods by their IP (`match`) or only external addresses (`ignore`). */
  readonly ipBlockPods: 'match' | 'ignore';
  /** Schema validation and field completion through yaml-language-server. `auto`: off when the Red Hat YAML extension is present. */
  readonly schema: 'auto' | 'on' | 'off';
  /** Files larger than this (bytes) are not indexed. */
  readonly maxFileSize: number;
}

export const DEFAULT_SETTINGS: NetreachSettings = {
  checks: {},
  include: ['**/*.yaml', '**/*.yml', '**/*.json'],
  exclude: ['**/node_modules/**', '**/.git/**'],
  ipBlockPods: 'match',
  schema: 'auto',
  maxFileSize: 5 * 1024 * 1024,
};

/** Sent by the client in `initializationOptions`. */
export interface InitializationOptions {
  /** The Red Hat YAML extension is installed: leave schema validation and field completion to it (for `schema: auto`). */
  readonly yamlExtensionPresent?: boolean;
  /** Milliseconds to wait after an edit before analysing (tests use 0). */
  readonly debounceMs?: number;
}

/** `netreach/status` (server -> client notification). */
export const STATUS_NOTIFICATION = 'netreach/status';
export interface StatusParams {
  readonly state: 'indexing' | 'analyzing' | 'ready';
  readonly files: number;
  readonly workloads: number;
  readonly policies: number;
  readonly errors: number;
  readonly warnings: number;
  readonly message?: string;
}

/** A place in a file, as LSP positions. */
export interface LocationDto {
  readonly uri: string;
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** `netreach/reachability`: the reachability of the object at a position, of a file, or of a namespace. */
export const REACHABILITY_REQUEST = 'netreach/reachability';
export interface ReachabilityParams {
  readonly uri?: string;
  readonly position?: { line: number; character: number };
  readonly namespace?: string;
}

export interface EndpointDto {
  /** `ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`. */
  readonly name: string;
  readonly kind: 'workload' | 'external';
  readonly location?: LocationDto;
}

export interface ConnectionDto {
  readonly peer: EndpointDto;
  /** `TCP 80,443,UDP 53` or `All Connections`. */
  readonly connections: string;
}

export type ReachabilityResult =
  | {
      readonly kind: 'workload';
      readonly title: string;
      readonly workload: EndpointDto;
      readonly ingressPolicies: readonly { name: string; location: LocationDto }[];
      readonly egressPolicies: readonly { name: string; location: LocationDto }[];
      readonly inbound: readonly ConnectionDto[];
      readonly outbound: readonly ConnectionDto[];
      readonly deniedFrom: readonly string[];
      readonly deniedTo: readonly string[];
    }
  | {
      readonly kind: 'matrix';
      readonly title: string;
      readonly endpoints: readonly EndpointDto[];
      /** cells[i][j]: from endpoints[i] to endpoints[j]; '' when nothing is allowed. */
      readonly cells: readonly (readonly string[])[];
    }
  | { readonly kind: 'none'; readonly title: string; readonly message: string };

/** `netreach/explain`: why a connection is allowed or denied. */
export const EXPLAIN_REQUEST = 'netreach/explain';
export interface ExplainParams {
  readonly from: string;
  readonly to: string;
  /** `TCP/80` */
  readonly port?: string;
}
export interface ExplainSideDto {
  readonly direction: 'ingress' | 'egress';
  readonly endpoint: string;
  readonly governed: boolean;
  readonly isolatingPolicies: readonly { name: string; location: LocationDto }[];
  readonly rules: readonly { policy: string; rule: number; peer: string; ports: string; location: LocationDto }[];
  readonly allowed: string;
}
export interface ExplainResult {
  readonly from: string;
  readonly to: string;
  readonly allowed: string;
  readonly verdict?: 'allowed' | 'denied';
  readonly egress: ExplainSideDto;
  readonly ingress: ExplainSideDto;
  /** Plain-text explanation, as the CLI prints it. */
  readonly text: string;
}

/** `netreach/workspaceFacts`: what the workspace contains, to fill snippet parameters. */
export const WORKSPACE_FACTS_REQUEST = 'netreach/workspaceFacts';
export interface WorkspaceFactsResult {
  readonly namespaces: readonly string[];
  readonly workloads: readonly { name: string; namespace: string; labels: Record<string, string>; ports: string[] }[];
}
