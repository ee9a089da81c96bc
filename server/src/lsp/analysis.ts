/**
 * The current analysis of the workspace: model, reachability index and findings, rebuilt
 * when files change. Requests ask for `current()`, which rebuilds first if a change is
 * pending, so answers always match the text the editor sent.
 *
 * After an edit, the model (the files joined into a workspace, and its reachability
 * index) is rebuilt first, reusing what the unchanged files gave the previous one. The
 * findings of a few files (the one just edited, the open ones) can then be had alone
 * with `findingsOf`: the same findings a whole analysis gives for those files, as the
 * checks judge them against the whole workspace, but without linting the rest. The
 * server shows those first and lints everything right after.
 */
import {
  assembleWorkspace,
  lintWorkspace,
  ReachabilityIndex,
  type Finding,
  type LintSettings,
  type Workspace,
} from '../engine';
import type { Check } from '../engine/checks/context';
import type { NetreachSettings } from '../protocol';
import type { WorkspaceFiles } from './files';

/** The workspace and its reachability index, for one state of the files. */
export interface AnalysisModel {
  /** Increases with every rebuild. */
  readonly generation: number;
  readonly workspace: Workspace;
  readonly index: ReachabilityIndex;
}

/** Findings of some files (of every file with findings, in a whole result). */
export interface FileFindings extends AnalysisModel {
  readonly findingsByUri: ReadonlyMap<string, readonly Finding[]>;
}

export interface AnalysisResult extends FileFindings {
  readonly findings: readonly Finding[];
  /** Milliseconds the rebuild took (model and findings). */
  readonly elapsed: number;
  /** Milliseconds of each phase: `read` (files read again), `assemble`, `index`, `lint`. */
  readonly timings?: Readonly<Record<string, number>>;
}

/** The findings of some files only. */
export interface PartialResult extends FileFindings {
  /** The files whose findings these are (those without findings included). */
  readonly uris: ReadonlySet<string>;
  /** Milliseconds the model (when rebuilt for this call) and these findings took. */
  readonly elapsed: number;
  readonly timings: Readonly<Record<string, number>>;
}

interface Model extends AnalysisModel {
  readonly lintSettings: LintSettings;
  /** Phase timings of building it, reported by whoever asks for it first. */
  timings?: Record<string, number>;
}

export class Analysis {
  private model: Model | undefined;
  private result: AnalysisResult | undefined;
  /** Findings of single files for the current model, by uri. */
  private partial = new Map<string, readonly Finding[]>();
  private dirty = true;
  private generation = 0;

  /** `checks`: the checks to run, all by default (the benchmark times each one). */
  constructor(
    private readonly files: WorkspaceFiles,
    private settings: NetreachSettings,
    private readonly checks?: readonly Check[],
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

  /** The whole analysis of the files as they are now. */
  current(): AnalysisResult {
    const model = this.prepare();
    if (this.result?.generation === model.generation) return this.result;
    const started = performance.now();
    const { findings } = lintWorkspace(model.workspace, model.lintSettings, model.index, this.checks);
    const findingsByUri = groupByUri(findings);
    const lint = performance.now() - started;
    const timings = { ...this.takeTimings(model), lint };
    this.result = {
      generation: model.generation,
      workspace: model.workspace,
      index: model.index,
      findings,
      findingsByUri,
      elapsed: Object.values(timings).reduce((a, b) => a + b, 0),
      timings,
    };
    this.partial.clear();
    return this.result;
  }

  /** The workspace and index of the files as they are now, without findings (cheaper after an edit). */
  currentModel(): AnalysisModel {
    return this.prepare();
  }

  /**
   * The findings of these files, exactly as `current()` would give them, without linting
   * the other files when the whole analysis is not done yet.
   */
  findingsOf(uris: Iterable<string>): PartialResult {
    const model = this.prepare();
    const wanted = new Set(uris);
    const findingsByUri = new Map<string, readonly Finding[]>();
    const timings: Record<string, number> = this.takeTimings(model);
    if (this.result?.generation === model.generation) {
      for (const uri of wanted) {
        const findings = this.result.findingsByUri.get(uri);
        if (findings) findingsByUri.set(uri, findings);
      }
    } else {
      const missing = new Set([...wanted].filter((uri) => !this.partial.has(uri)));
      if (missing.size > 0) {
        const started = performance.now();
        const { findings } = lintWorkspace(model.workspace, model.lintSettings, model.index, this.checks, missing);
        const byUri = groupByUri(findings);
        for (const uri of missing) this.partial.set(uri, byUri.get(uri) ?? []);
        timings.lint = performance.now() - started;
      }
      for (const uri of wanted) {
        const findings = this.partial.get(uri)!;
        if (findings.length > 0) findingsByUri.set(uri, findings);
      }
    }
    return {
      generation: model.generation,
      workspace: model.workspace,
      index: model.index,
      uris: wanted,
      findingsByUri,
      elapsed: Object.values(timings).reduce((a, b) => a + b, 0),
      timings,
    };
  }

  private prepare(): Model {
    if (!this.dirty && this.model) return this.model;
    const lintSettings: LintSettings = {
      checks: this.settings.checks,
      analysis: { ipBlockMatchesPods: this.settings.ipBlockPods !== 'ignore' },
    };
    let started = performance.now();
    const models = this.files.models();
    const read = performance.now() - started;
    started = performance.now();
    const workspace = assembleWorkspace(models);
    const assemble = performance.now() - started;
    started = performance.now();
    // The previous index lends what did not change (it checks the options itself).
    const index = new ReachabilityIndex(workspace, lintSettings.analysis, this.model?.index);
    const indexing = performance.now() - started;
    this.dirty = false;
    this.partial = new Map();
    this.model = {
      generation: ++this.generation,
      workspace,
      index,
      lintSettings,
      timings: { read, assemble, index: indexing },
    };
    return this.model;
  }

  /** The model's build timings, once: the first caller after a rebuild reports them. */
  private takeTimings(model: Model): Record<string, number> {
    const timings = model.timings ?? {};
    model.timings = undefined;
    return { ...timings };
  }
}

function groupByUri(findings: readonly Finding[]): Map<string, Finding[]> {
  const byUri = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byUri.get(finding.span.uri);
    if (list) list.push(finding);
    else byUri.set(finding.span.uri, [finding]);
  }
  return byUri;
}
