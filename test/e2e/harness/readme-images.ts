// The README's screenshots come from the UI tests, never from a hand-edited image.
//
// A UI test calls saveReadmeImage(workbench, 'hover.png', ...) at the moment the page
// shows the feature; the image goes to test-results/e2e/screenshots/readme/ together with
// a manifest (sha256, size, the test that took it). `npm run screenshots` runs the UI
// tests and, when they pass and every image was taken, copies the images and the
// manifest to docs/images/. test/unit/readmeImages.test.ts checks that every image the
// README shows is in docs/images/ with the hash the harness recorded.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HarnessError, log } from './log';
import { CODE_SERVER_VERSION, REPO_ROOT } from './paths';
import { SCREENSHOT_DIR, type Workbench } from './ui';

/** The images the README shows, each taken by one UI test. */
export const README_IMAGES = ['problems.png', 'hover.png', 'quick-fix.png', 'reachability-view.png'] as const;
export type ReadmeImage = (typeof README_IMAGES)[number];

export const README_SHOTS_DIR = path.join(SCREENSHOT_DIR, 'readme');
export const DOCS_IMAGES_DIR = path.join(REPO_ROOT, 'docs', 'images');
export const MANIFEST_NAME = 'manifest.json';
export const GENERATOR = 'test/e2e UI tests (npm run screenshots)';

export interface ImageEntry {
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  /** The UI test that took it. */
  test: string;
}

export interface ImageManifest {
  generator: string;
  codeServer: string;
  images: Record<string, ImageEntry>;
}

export interface ReadmeImageOptions {
  /** The test taking it (for the manifest). */
  test: string;
  /** Crop to the union of these elements' boxes (e.g. '.part.editor'); default: the whole window. */
  clipTo?: string[];
  /** Space around the clip, in pixels (default 8). */
  padding?: number;
}

/** Takes a README image of the page as it is now; returns its path. */
export async function saveReadmeImage(
  workbench: Workbench,
  file: ReadmeImage,
  options: ReadmeImageOptions,
): Promise<string> {
  fs.mkdirSync(README_SHOTS_DIR, { recursive: true });
  const target = path.join(README_SHOTS_DIR, file);
  // The pointer rests where the last click was (a tab, a row): move it to the empty part
  // of the side bar so that no tooltip covers the picture.
  await workbench.page.mouse.move(150, 620);
  await workbench.waitFor(
    'no workbench tooltip (the pointer left the element it was on)',
    () => workbench.page.locator('.workbench-hover-container').count(),
    (count) => count === 0,
  );
  const clip = options.clipTo ? await unionOf(workbench, options.clipTo, options.padding ?? 8) : undefined;
  await workbench.page.screenshot({ path: target, ...(clip ? { clip } : {}) });
  const manifestFile = path.join(README_SHOTS_DIR, MANIFEST_NAME);
  const manifest = fs.existsSync(manifestFile) ? readManifest(manifestFile) : emptyManifest();
  manifest.images[file] = { ...describePng(fs.readFileSync(target)), test: options.test };
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`README image ${path.relative(REPO_ROOT, target)}`);
  return target;
}

async function unionOf(
  workbench: Workbench,
  selectors: string[],
  padding: number,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const boxes = [];
  for (const selector of selectors) {
    const box = await workbench.page.locator(selector).first().boundingBox();
    if (!box) throw new HarnessError(`README image: nothing visible matches ${selector}`);
    boxes.push(box);
  }
  const viewport = workbench.page.viewportSize() ?? { width: 1400, height: 900 };
  const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - padding);
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - padding);
  const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + padding);
  const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + padding);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export function emptyManifest(): ImageManifest {
  return { generator: GENERATOR, codeServer: CODE_SERVER_VERSION, images: {} };
}

export function readManifest(file: string): ImageManifest {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ImageManifest;
}

/** Hash, size and pixel dimensions of a PNG (from its IHDR chunk). */
export function describePng(data: Buffer): Omit<ImageEntry, 'test'> {
  if (data.length < 24 || data.toString('latin1', 1, 4) !== 'PNG') throw new HarnessError('not a PNG file');
  return {
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
  };
}

/**
 * After a passing UI run: copies every README image of this run to docs/images/ with the
 * manifest. Throws (changing nothing) when one is missing.
 */
export function publishReadmeImages(): string[] {
  const manifestFile = path.join(README_SHOTS_DIR, MANIFEST_NAME);
  const manifest = fs.existsSync(manifestFile) ? readManifest(manifestFile) : emptyManifest();
  const missing = README_IMAGES.filter(
    (file) => !manifest.images[file] || !fs.existsSync(path.join(README_SHOTS_DIR, file)),
  );
  if (missing.length > 0) {
    throw new HarnessError(
      `the UI tests took no README image ${missing.join(', ')} (expected in ${path.relative(REPO_ROOT, README_SHOTS_DIR)}/); ` +
        'run all UI tests (no NETREACH_E2E_GREP) with "npm run screenshots"',
    );
  }
  fs.mkdirSync(DOCS_IMAGES_DIR, { recursive: true });
  const published = emptyManifest();
  for (const file of README_IMAGES) {
    const data = fs.readFileSync(path.join(README_SHOTS_DIR, file));
    fs.writeFileSync(path.join(DOCS_IMAGES_DIR, file), data);
    published.images[file] = { ...describePng(data), test: manifest.images[file]!.test };
  }
  fs.writeFileSync(path.join(DOCS_IMAGES_DIR, MANIFEST_NAME), `${JSON.stringify(published, null, 2)}\n`);
  return README_IMAGES.map((file) => path.relative(REPO_ROOT, path.join(DOCS_IMAGES_DIR, file)));
}
