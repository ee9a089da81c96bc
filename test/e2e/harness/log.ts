// One prefix for everything the harness prints, so it stands out from mocha output.
export function log(message: string): void {
  process.stdout.write(`[e2e] ${message}\n`);
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

/** An expected failure with a complete message (no stack trace needed to understand it). */
export class HarnessError extends Error {
  override name = 'HarnessError';
}
