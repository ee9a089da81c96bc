// The README's screenshots are real: every image it shows is in docs/images/, and
// docs/images/manifest.json, written by the e2e harness when `npm run screenshots`
// copied the images out of a passing UI run, records that very file's hash.
// (test/e2e/harness/readme-images.ts writes the manifest.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const imagesDir = path.join(root, 'docs', 'images');

interface Manifest {
  generator: string;
  codeServer: string;
  images: Record<string, { sha256: string; bytes: number; width: number; height: number; test: string }>;
}

/** Image paths in README.md: Markdown `![alt](path)` and HTML `<img src="path">`. */
function readmeImages(): string[] {
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const markdown = [...text.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const html = [...text.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/g)].map((m) => m[1]!);
  return [...markdown, ...html];
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('README images', () => {
  const images = readmeImages();
  const manifestFile = path.join(imagesDir, 'manifest.json');

  it('the README shows the four screenshots: Problems, hover, quick fix, reachability view', () => {
    for (const name of ['problems.png', 'hover.png', 'quick-fix.png', 'reachability-view.png']) {
      assert.ok(
        images.includes(`docs/images/${name}`),
        `README.md shows docs/images/${name}; it shows ${images.join(', ')}`,
      );
    }
  });

  it('every image the README shows is a file in docs/images/', () => {
    for (const image of images) {
      assert.ok(image.startsWith('docs/images/'), `${image}: README images live in docs/images/`);
      assert.ok(fs.existsSync(path.join(root, image)), `${image} does not exist`);
    }
  });

  it('each was produced by the e2e harness: the manifest has its hash', () => {
    assert.ok(fs.existsSync(manifestFile), 'docs/images/manifest.json is missing: run "npm run screenshots"');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    assert.match(manifest.generator, /^test\/e2e /, 'manifest generator');
    for (const image of images) {
      const name = path.basename(image);
      const entry = manifest.images[name];
      assert.ok(
        entry,
        `${image} is not in docs/images/manifest.json: not taken by the harness ("npm run screenshots")`,
      );
      assert.equal(
        sha256(path.join(root, image)),
        entry.sha256,
        `${image} differs from what the harness recorded (edited by hand?); run "npm run screenshots"`,
      );
      assert.match(entry.test, /\S/, `${name}: the test that took it`);
    }
  });

  it('the manifest lists no image that is gone', () => {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    for (const name of Object.keys(manifest.images)) {
      assert.ok(fs.existsSync(path.join(imagesDir, name)), `docs/images/manifest.json lists ${name}, which is missing`);
    }
  });
});
