/**
 * Collecting manifest files for the CLI: folders recursively, `.yaml`, `.yml` and `.json`,
 * and `-` for standard input (`helm template CHART | netreach lint -`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from '../engine';
import { UsageError } from './errors';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** The path that reads standard input, and the name its manifests go by. */
export const STDIN_PATH = '-';
export const STDIN_NAME = '<stdin>';
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

export function isManifestPath(file: string): boolean {
  return MANIFEST_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Paths shown to the user: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function collectManifestPaths(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new UsageError('no paths given: name the manifest files or folders to analyse');
  const found: string[] = [];
  for (const input of inputs) {
    if (input === STDIN_PATH) {
      if (process.stdin.isTTY) {
        throw new UsageError(
          "'-' reads manifests from standard input: pipe them in, e.g. `helm template CHART | netreach lint -`",
        );
      }
      found.push(STDIN_PATH);
      continue;
    }
    let stats;
    try {
      stats = statSync(input);
    } catch (error) {
      throw new UsageError(`cannot read ${input}: ${describeFsError(error)}`);
    }
    if (stats.isDirectory()) {
      const before = found.length;
      walk(input, found);
      if (found.length === before) {
        throw new UsageError(
          `${input} holds no manifest files (recognized file extensions are ${MANIFEST_EXTENSIONS.join(', ')})`,
        );
      }
    } else if (isManifestPath(input)) {
      found.push(input);
    } else {
      throw new UsageError(
        `${input} is not a manifest file (recognized file extensions are ${MANIFEST_EXTENSIONS.join(', ')})`,
      );
    }
  }
  return [...new Set(found)];
}

function walk(folder: string, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(`cannot read ${folder}: ${describeFsError(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) walk(full, into);
    } else if (entry.isFile() && isManifestPath(entry.name)) {
      into.push(full);
    }
  }
}

export function readSources(paths: readonly string[]): SourceFile[] {
  return paths.map((file) => {
    try {
      if (file === STDIN_PATH) return { uri: STDIN_NAME, text: readFileSync(0, 'utf8') };
      return { uri: file, text: readFileSync(file, 'utf8') };
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${describeFsError(error)}`);
    }
  });
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return (error as Error).message;
}
