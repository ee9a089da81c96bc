/**
 * The current analysis of the workspace: model, reachability index and findings, rebuilt
 * when files change. Requests ask for `current()`, which rebuilds first if a change is
 * pending, so answers always match the text the editor sent.
 */
import { assembleWorkspace, lintWorkspace, type Finding, type LintSettings, type ReachabilityIndex, type Workspace } from '../engine';
import type { NetreachSettings } from '../protocol';
import type { WorkspaceFiles } from './files';

export interface AnalysisResult {
  /** Increases with every rebuild. */
  readonly generation: number;
  readonly workspace: Workspace;
  readonly index: ReachabilityIndex;
  readonly findings: readonly Finding[];
  readonly findingsByUri: ReadonlyMap<string, readonly Finding[]>;
  /** Milliseconds the rebuild took. */
  readonly elapsed: number;
}

export class Analysis {
  private result: AnalysisResult | undefined;
  private dirty = true;
  private generation = 0;

  constructor(
    private readonly files: WorkspaceFiles,
    private settings: NetreachSettings,
  ) {}

  configure(settings: NetreachSettings): void {
    this.settings = settings;
    this.invalidate();
  }

  invalidate(): void {
    this.dirty = true;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  current(): AnalysisResult {
    if (!this.dirty && this.result) return this.result;
    const started = performance.now();
    const workspace = assembleWorkspace(this.files.models());
    const lintSettings: LintSettings = {
      checks: this.settings.checks,
      analysis: { ipBlockMatchesPods: this.settings.ipBlockPods !== 'ignore' },
    };
    const { index, findings } = lintWorkspace(workspace, lintSettings);
    const findingsByUri = new Map<string, Finding[]>();
    for (const finding of findings) {
      const list = findingsByUri.get(finding.span.uri);
      if (list) list.push(finding);
      else findingsByUri.set(finding.span.uri, [finding]);
    }
    this.dirty = false;
    this.result = {
      generation: ++this.generation,
      workspace,
      index,
      findings,
      findingsByUri,
      elapsed: performance.now() - started,
    };
    return this.result;
  }
}
