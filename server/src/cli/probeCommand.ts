/**
 * `netreach probe`: its options here, its implementation in server/src/probe/cli.ts,
 * loaded only when the command runs. The cluster client (@kubernetes/client-node) is
 * large, and every other command starts faster without it: in the bundle it lives in
 * dist/probe.js next to dist/cli.js.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { OptionSpec, ParsedCommand } from './args';
import type { Streams } from './context';

export const PROBE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  port: { type: 'string', multiple: true },
  image: { type: 'string' },
  'timeout-seconds': { type: 'string' },
  'max-pods': { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  output: { type: 'string', short: 'o' },
};

type ProbeModule = typeof import('../probe');

function loadProbeModule(): ProbeModule {
  const bundled = path.join(__dirname, 'probe.js');
  // An indirect require, so the bundler leaves the module out of dist/cli.js.
  const load: (id: string) => unknown = require;
  const fromBundle = path.basename(__filename) === 'cli.js' && existsSync(bundled);
  return load(fromBundle ? bundled : path.join(__dirname, '..', 'probe')) as ProbeModule;
}

export function runProbeCommand(command: ParsedCommand, streams: Streams): Promise<number> {
  return loadProbeModule().runProbeCli(command, streams);
}
