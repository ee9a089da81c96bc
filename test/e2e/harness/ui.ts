// Page-level helpers for UI tests: what a person sees in the workbench.
//
// UI tests run in the runner's Node process (mocha, via test/e2e/run.ts) and drive a
// code-server window through Chromium. The runner starts code-server and passes its URL in
// NETREACH_E2E_SERVER_URL. Each helper waits by polling the page until it shows what is
// expected; when it does not within the timeout, the error says what was expected and
// what the page showed, and a screenshot is saved under test-results/e2e/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, workbenchUrl } from './browser';
import type { CodeServer } from './code-server';
import { log } from './log';
import { E2E_WORKSPACE, REPO_ROOT, RESULTS_DIR } from './paths';

export const SCREENSHOT_DIR = path.join(RESULTS_DIR, 'screenshots');
const DEFAULT_TIMEOUT_MS = Number(process.env.NETREACH_E2E_UI_TIMEOUT ?? 20_000);

export interface OpenOptions {
  /** Folder to open; defaults to the e2e workspace (fixtures/workspace + examples/). */
  folder?: string;
  /** Load the extension from the repo (default true). */
  withExtension?: boolean;
  /** Extra environment for the extension host. */
  extensionEnvironment?: Record<string, string>;
  /** A code-server of the test's own (e.g. one with workspace trust); default: the runner's. */
  serverUrl?: string;
}

/** The code-server the runner started (NETREACH_E2E_SERVER_URL), as far as UI tests need it. */
function serverFromEnv(serverUrl?: string): CodeServer {
  const url = serverUrl ?? process.env.NETREACH_E2E_SERVER_URL;
  if (!url) throw new Error('NETREACH_E2E_SERVER_URL is not set: run UI tests through "npm run test:e2e"');
  const port = Number(new URL(url).port);
  const unavailable = (): never => {
    throw new Error('not available to UI tests');
  };
  return { url, port, pid: 0, userDataDir: '', extensionsDir: '', logFile: '', stop: unavailable };
}

/** Opens a workbench window (its own Chromium) and waits until the workbench is up. */
export async function openWorkbench(options: OpenOptions = {}): Promise<Workbench> {
  const server = serverFromEnv(options.serverUrl);
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const url = workbenchUrl(server, {
    folder: options.folder ?? E2E_WORKSPACE,
    extensionDevelopmentPath: options.withExtension === false ? undefined : REPO_ROOT,
    extensionEnvironment: options.extensionEnvironment,
  });
  const workbench = new Workbench(browser, context, page);
  await page.goto(url);
  await workbench.waitFor(
    'the workbench with the folder open in the Explorer',
    () => page.locator('.explorer-folders-view .monaco-list-row').count(),
    (rows) => rows > 0,
    // The first load of the workbench is the slowest step, more so on a busy machine.
    Math.max(DEFAULT_TIMEOUT_MS, 60_000),
  );
  return workbench;
}

export class UiExpectationError extends Error {
  constructor(expected: string, seen: string, screenshot: string) {
    super(`expected: ${expected}\n  page showed: ${seen}\n  screenshot: ${path.relative(REPO_ROOT, screenshot)}`);
    this.name = 'UiExpectationError';
  }
}

let screenshotCounter = 0;

export class Workbench {
  constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /**
   * Polls `read()` until `accept` holds and returns that value. On timeout, throws a
   * UiExpectationError naming `expected`, showing the last value read, with a screenshot.
   */
  async waitFor<T>(
    expected: string,
    read: () => Promise<T>,
    accept: (value: T) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let lastError: Error | undefined;
    for (;;) {
      try {
        last = await read();
        lastError = undefined;
        if (accept(last)) return last;
      } catch (error) {
        lastError = error as Error;
      }
      if (Date.now() > deadline) break;
      await this.page.waitForTimeout(100);
    }
    const seen = lastError ? `(reading failed: ${lastError.message.split('\n')[0]})` : show(last);
    const shot = await this.screenshot(`failed-${slug(expected)}`);
    throw new UiExpectationError(`${expected} (waited ${timeoutMs / 1000} s)`, seen, shot);
  }

  /** Opens a file of the workspace through Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(relativePath: string): Promise<void> {
    const name = path.basename(relativePath);
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.waitFor('the Quick Open box', () => input.isVisible(), Boolean);
    await input.fill(relativePath);
    const rows = '.quick-input-widget .quick-input-list .monaco-list-row';
    await this.waitFor(
      `a Quick Open result named ${name}`,
      () => this.labels(`${rows} .label-name`),
      (labels) => labels.includes(name),
    );
    const row = this.page.locator(rows).filter({ has: this.page.locator('.label-name', { hasText: exactText(name) }) });
    await row.first().click();
    await this.waitFor(
      `the active editor tab to be ${name}`,
      () => this.activeTabTitle(),
      (title) => title === name,
    );
    await this.waitFor(
      `the editor of ${name} to show text`,
      () => this.editorText(),
      (text) => text.trim().length > 0,
    );
  }

  /** File name of the active editor tab ('' when none). */
  async activeTabTitle(): Promise<string> {
    // The tab splits the label into name and suffix (`policy` + `.yaml`); the attribute has both.
    const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active');
    return (await tab.count()) > 0 ? ((await tab.first().getAttribute('data-resource-name')) ?? '') : '';
  }

  /** The visible lines of the active editor, joined by newlines (non-breaking spaces normalised). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    const texts = await lines.allTextContents();
    return texts.map((line) => line.replace(/\u00a0/g, ' ')).join('\n');
  }

  /** Waits for the active editor to show `text`; returns the editor text. */
  async waitForEditorText(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor(
      `the editor to show ${JSON.stringify(text)}`,
      () => this.editorText(),
      (shown) => shown.includes(text),
      timeoutMs,
    );
  }

  /** Runs a command through the command palette (F1), clicking the row with exactly `label`. */
  async runCommand(label: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.waitFor('the command palette', () => input.isVisible(), Boolean);
    // Typing narrows the list; Enter would run the first *fuzzy* match, so click the exact label.
    await input.fill(`>${label}`);
    const rows = '.quick-input-widget .quick-input-list .monaco-list-row';
    await this.waitFor(
      `the command palette to offer "${label}"`,
      () => this.labels(`${rows} .label-name`),
      (all) => all.includes(label),
    );
    await this.clickQuickInputRow(label);
    // Closed, or replaced by the command's own quick pick: either way no longer our text.
    await this.waitFor(
      'the command palette to close after choosing the command',
      () => this.quickInputState(),
      (state) => !state.visible || state.value !== `>${label}`,
    );
  }

  /** Chooses the item with exactly `label` in an open quick pick (e.g. one a command showed). */
  async chooseQuickPickItem(label: string): Promise<void> {
    const labels = (): Promise<string[]> =>
      this.labels('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await this.waitFor(`the quick pick to offer "${label}"`, labels, (all) => all.includes(label));
    await this.clickQuickInputRow(label);
  }

  private async clickQuickInputRow(label: string): Promise<void> {
    await this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactText(label) }) })
      .first()
      .click();
  }

  private async quickInputState(): Promise<{ visible: boolean; value: string }> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const visible = await input.isVisible();
    return { visible, value: visible ? await input.inputValue() : '' };
  }

  /** Places the cursor at a 1-based line and column of the active editor (Go to Line, Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.waitFor('the Go to Line box', () => input.isVisible(), Boolean);
    // The box opens holding ":" (the Go to Line mode of Quick Open); keep that prefix.
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    const expected = `Ln ${line}, Col ${column}`;
    await this.waitFor(
      `the status bar to show ${expected}`,
      () => this.statusBarCursor(),
      (shown) => shown === expected,
    );
  }

  /** "Ln 3, Col 5" from the status bar. */
  async statusBarCursor(): Promise<string> {
    const item = this.page.locator('.statusbar-item[id="status.editor.selection"]');
    return (
      (await item
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    ).trim();
  }

  /**
   * Shows the hover at a 1-based position (cursor there, then "Show or Focus Hover",
   * Ctrl+K Ctrl+I: the same providers as a mouse hover, without pixel arithmetic) and
   * returns its text once it contains `expectedText` (or any text when omitted).
   */
  async hoverAt(
    line: number,
    column: number,
    options: { contains?: string; timeoutMs?: number } = {},
  ): Promise<string> {
    const expectedText = options.contains;
    await this.goTo(line, column);
    const hover = this.page.locator('.monaco-hover-content');
    const read = async (): Promise<string> => ((await hover.count()) > 0 ? normalise(await hover.allInnerTexts()) : '');
    const expected = expectedText
      ? `a hover at ${line}:${column} containing ${JSON.stringify(expectedText)}`
      : `a hover at ${line}:${column}`;
    // Ask again on each poll: a hover requested before the language server answered
    // shows nothing and does not come back by itself.
    return this.waitFor(
      expected,
      async () => {
        if ((await read()) === '') {
          await this.page.keyboard.press('Control+K');
          await this.page.keyboard.press('Control+I');
          await hover
            .first()
            .waitFor({ state: 'visible', timeout: 1000 })
            .catch(() => undefined);
        }
        return read();
      },
      (text) => (expectedText ? text.includes(expectedText) : text.trim().length > 0),
      options.timeoutMs,
    );
  }

  /**
   * Opens the editor context menu at a 1-based position (Shift+F10 at the cursor) and
   * returns its item labels. The menu stays open: pick an item with chooseMenuItem(), or
   * press Escape.
   */
  async contextMenuAt(line: number, column: number): Promise<string[]> {
    await this.goTo(line, column);
    await this.page.keyboard.press('Shift+F10');
    return this.waitFor(
      'the editor context menu',
      () => this.menuItems(),
      (items) => items.length > 0,
    );
  }

  /** Labels of the open context menu (it lives in a shadow root; playwright's CSS pierces it). */
  async menuItems(): Promise<string[]> {
    const labels = await this.page.locator('.monaco-menu .action-item:not(.disabled) .action-label').allTextContents();
    return labels.map((label) => label.trim()).filter(Boolean);
  }

  /** Clicks an item of the open context menu by its exact label. */
  async chooseMenuItem(label: string): Promise<void> {
    await this.waitFor(
      `the open menu to offer "${label}"`,
      () => this.menuItems(),
      (items) => items.includes(label),
    );
    await this.page
      .locator('.monaco-menu .action-item .action-label')
      .filter({ hasText: exactText(label) })
      .first()
      .click();
  }

  /** Opens the Problems panel (Ctrl+Shift+M) and returns its rows' text. */
  async problems(): Promise<string[]> {
    if (
      !(await this.page
        .locator('.markers-panel')
        .isVisible()
        .catch(() => false))
    ) {
      await this.focusWorkbench();
      await this.page.keyboard.press('Control+Shift+M');
      await this.waitFor('the Problems panel', () => this.page.locator('.markers-panel').isVisible(), Boolean);
    }
    return this.rowTexts('.markers-panel .monaco-list-row');
  }

  /** Waits until the Problems rows satisfy `accept`; `expected` says what that means. */
  async waitForProblems(expected: string, accept: (rows: string[]) => boolean, timeoutMs?: number): Promise<string[]> {
    return this.waitFor(`Problems: ${expected}`, () => this.problems(), accept, timeoutMs);
  }

  /** Counts of squiggles in the active editor. */
  async squiggles(): Promise<{ errors: number; warnings: number; infos: number }> {
    const editor = '.editor-group-container.active .monaco-editor';
    const count = (kind: string): Promise<number> => this.page.locator(`${editor} .squiggly-${kind}`).count();
    return { errors: await count('error'), warnings: await count('warning'), infos: await count('info') };
  }

  /**
   * Notification texts. With the smoke-test driver, toasts are suppressed, so this opens
   * the Notifications center and reads its rows.
   */
  async notifications(): Promise<string[]> {
    if (
      !(await this.page
        .locator('.notifications-center')
        .isVisible()
        .catch(() => false))
    ) {
      await this.runCommand('Notifications: Show Notifications');
    }
    return this.rowTexts('.notifications-center .monaco-list-row');
  }

  /** Saves a full-page screenshot to test-results/e2e/screenshots/<name>.png; returns the path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${String(++screenshotCounter).padStart(2, '0')}-${slug(name)}.png`);
    await this.page
      .screenshot({ path: file })
      .catch((error: Error) => log(`screenshot ${file} failed: ${error.message}`));
    return file;
  }

  /** For mocha's afterEach: `afterEach(function () { return workbench.screenshotIfFailed(this); })`. */
  async screenshotIfFailed(context: Mocha.Context): Promise<void> {
    const test = context.currentTest;
    if (test?.state === 'failed') {
      const file = await this.screenshot(`failed-${test.fullTitle()}`);
      log(`screenshot of the failure: ${path.relative(REPO_ROOT, file)}`);
    }
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
  }

  /** Trimmed text of every element matching `selector`. */
  private async labels(selector: string): Promise<string[]> {
    return (await this.page.locator(selector).allTextContents()).map((text) => text.trim());
  }

  private async rowTexts(selector: string): Promise<string[]> {
    const rows = this.page.locator(selector);
    return (await rows.allInnerTexts()).map((text) => normalise([text])).filter(Boolean);
  }

  /** Keyboard shortcuts go to the focused element; make sure that is inside the workbench. */
  private async focusWorkbench(): Promise<void> {
    // (A string, because this file is type-checked without the DOM library.)
    const focused = await this.page.evaluate<boolean>("document.activeElement?.closest('.monaco-workbench') != null");
    if (!focused)
      await this.page
        .locator('.part.statusbar')
        .click({ position: { x: 1, y: 1 } })
        .catch(() => undefined);
    await this.page.keyboard.press('Escape');
  }
}

function normalise(texts: string[]): string {
  return texts
    .join('\n')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function show(value: unknown): string {
  if (value === undefined) return '(nothing read)';
  const block = (lines: string[]): string => `\n    ${lines.join('\n    ')}`;
  if (Array.isArray(value)) return value.length === 0 ? '(no rows)' : block(value.map((row) => JSON.stringify(row)));
  if (typeof value === 'string' && value.includes('\n')) return block(value.trimEnd().split('\n'));
  return JSON.stringify(value);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
