/**
 * The manifests the server knows: every matching file of the workspace folders, read
 * from disk, with the editor's unsaved text taking precedence for open documents.
 * Each file is read into its own FileModel, so a change re-reads only that file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { URI } from 'vscode-uri';
import { isKustomizationFile, readFile as readModel, type FileModel } from '../engine';
import type { NetreachSettings } from '../protocol';

export interface ScanProgress {
  report(done: number, total: number): void;
  readonly cancelled: boolean;
}

const NO_PROGRESS: ScanProgress = { report: () => undefined, cancelled: false };

/** Folders never worth walking into. */
const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn']);

export class WorkspaceFiles {
  private readonly onDisk = new Map<string, FileModel>();
  /** Open documents; the model is read when first needed, so a burst of edits costs one parse, not one each. */
  private readonly open = new Map<string, { version: number; text: string; model?: FileModel }>();
  private folders: string[] = [];
  private isIncluded: (file: string) => boolean = () => false;

  constructor(
    private settings: NetreachSettings,
    private readonly log: (message: string) => void,
  ) {
    this.configure(settings);
  }

  configure(settings: NetreachSettings): void {
    this.settings = settings;
    const include = picomatch([...settings.include], { dot: true });
    const exclude = picomatch([...settings.exclude], { dot: true });
    this.isIncluded = (file) => {
      const folder = this.folders.find((f) => file === f || file.startsWith(f + path.sep));
      if (!folder) return false;
      const relative = path.relative(folder, file).split(path.sep).join('/');
      return include(relative) && !exclude(relative);
    };
  }

  /** Reads every included file of the folders. Yields to the event loop so requests keep being answered. */
  async scan(folderUris: readonly string[], progress: ScanProgress = NO_PROGRESS): Promise<number> {
    this.folders = folderUris.map((u) => URI.parse(u).fsPath);
    this.onDisk.clear();
    const paths: string[] = [];
    for (const folder of this.folders) await this.walk(folder, paths);
    let done = 0;
    for (const file of paths) {
      if (progress.cancelled) break;
      await this.loadFromDisk(file);
      done++;
      if (done % 50 === 0) {
        progress.report(done, paths.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    progress.report(done, paths.length);
    return done;
  }

  private async walk(folder: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      this.log(`cannot read folder ${folder}: ${(error as Error).message}`);
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) await this.walk(full, into);
      } else if (entry.isFile() && this.isIncluded(full)) {
        into.push(full);
      }
    }
  }

  private async loadFromDisk(file: string): Promise<void> {
    const uri = URI.file(file).toString();
    try {
      const info = await stat(file);
      if (info.size > this.settings.maxFileSize) {
        this.log(
          `skipped ${file}: ${info.size} bytes is more than netreach.maxFileSize (${this.settings.maxFileSize})`,
        );
        this.onDisk.delete(uri);
        return;
      }
      const text = await readFile(file, 'utf8');
      this.onDisk.set(uri, modelOf(uri, text));
    } catch (error) {
      this.onDisk.delete(uri);
      this.log(`cannot read ${file}: ${(error as Error).message}`);
    }
  }

  /** A file created, changed or deleted on disk. Returns whether the model changed. */
  async diskChanged(uri: string, deleted: boolean): Promise<boolean> {
    const file = URI.parse(uri).fsPath;
    if (deleted) return this.onDisk.delete(uri);
    if (!this.isIncluded(file)) return false;
    await this.loadFromDisk(file);
    return !this.open.has(uri);
  }

  /** An editor opened or changed a document. */
  setOpen(uri: string, version: number, text: string): void {
    const current = this.open.get(uri);
    this.open.set(uri, { version, text, model: current?.text === text ? current.model : undefined });
  }

  private openModel(uri: string, entry: { text: string; model?: FileModel }): FileModel {
    return (entry.model ??= modelOf(uri, entry.text));
  }

  /** The editor closed it: the disk content counts again. */
  async close(uri: string): Promise<void> {
    this.open.delete(uri);
    const file = URI.parse(uri).fsPath;
    if (this.isIncluded(file)) await this.loadFromDisk(file);
  }

  isOpen(uri: string): boolean {
    return this.open.has(uri);
  }

  version(uri: string): number | undefined {
    return this.open.get(uri)?.version;
  }

  model(uri: string): FileModel | undefined {
    const open = this.open.get(uri);
    return open ? this.openModel(uri, open) : this.onDisk.get(uri);
  }

  models(): FileModel[] {
    const result = new Map(this.onDisk);
    for (const [uri, entry] of this.open) result.set(uri, this.openModel(uri, entry));
    return [...result.values()];
  }

  get size(): number {
    return new Set([...this.onDisk.keys(), ...this.open.keys()]).size;
  }
}

/**
 * Files that cannot hold a Kubernetes object (no `kind`) skip parsing: JSON and YAML of
 * other tools are common in workspaces. Kustomizations are read (they name the patches).
 */
function modelOf(uri: string, text: string): FileModel {
  const source = { uri, text: /\bkind\b/.test(text) || isKustomizationFile(uri) ? text : '' };
  const model = readModel(source);
  return source.text === text ? model : { ...model, file: { ...model.file, text } };
}
