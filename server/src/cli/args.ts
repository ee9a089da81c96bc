/** Command-line parsing on Node's `util.parseArgs`, with errors as UsageError. */
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

export interface ParsedCommand {
  readonly positionals: readonly string[];
  /** Single-valued string options (the last one wins). */
  readonly options: Readonly<Record<string, string | undefined>>;
  readonly flags: ReadonlySet<string>;
  /** Options given several times (`--port TCP/80 --port UDP/53`). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

export function parseCommand(args: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const options: Record<string, string | undefined> = {};
  const lists: Record<string, string[]> = {};
  const flags = new Set<string>();
  for (const [name, value] of Object.entries(parsed.values) as [
    string,
    string | boolean | (string | boolean)[] | undefined,
  ][]) {
    if (typeof value === 'boolean') {
      if (value) flags.add(name);
    } else if (Array.isArray(value)) {
      lists[name] = value.map(String);
      options[name] = value.length ? String(value[value.length - 1]) : undefined;
    } else if (value !== undefined) {
      options[name] = String(value);
    }
  }
  return { positionals: parsed.positionals, options, flags, lists };
}

export function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

export function requireOption(command: ParsedCommand, name: string): string {
  const value = command.options[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
