/**
 * The `netreach` command line: the engine's answers for terminals and CI.
 * Exit codes: 0 success, 1 findings or failures where a command has them, 2 usage or
 * input errors (with a message on stderr).
 */
import { parseCommand, type OptionSpec, type ParsedCommand } from './args';
import { runConnlist } from './connlistCommand';
import { processStreams, type Streams } from './context';
import { isInputError, isUsageError } from './errors';
import { runExplain } from './explainCommand';
import { runDemo } from './demoCommand';
import { runLint } from './lintCommand';
import { PROBE_OPTIONS, runProbeCommand } from './probeCommand';
import { HELP, COMMAND_HELP, VERSION } from './help';

interface Command {
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly run: (command: ParsedCommand, streams: Streams) => number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  connlist: {
    options: { output: { type: 'string', short: 'o' }, 'ipblock-pods': { type: 'string' } },
    run: runConnlist,
  },
  explain: {
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'ipblock-pods': { type: 'string' },
    },
    run: runExplain,
  },
  lint: {
    options: {
      format: { type: 'string', short: 'f' },
      fix: { type: 'boolean' },
      check: { type: 'string', multiple: true },
      'fail-on': { type: 'string' },
      'ipblock-pods': { type: 'string' },
    },
    run: runLint,
  },
  probe: { options: PROBE_OPTIONS, run: runProbeCommand },
  demo: { options: {}, run: runDemo },
};

export async function main(argv: readonly string[], streams: Streams = processStreams): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    streams.out(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : HELP);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    streams.out(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    streams.err(`netreach: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const parsed = parseCommand(rest, command.options);
    if (parsed.flags.has('help')) {
      streams.out(COMMAND_HELP[name] ?? HELP);
      return 0;
    }
    return await command.run(parsed, streams);
  } catch (error) {
    if (isUsageError(error)) {
      streams.err(`netreach ${name}: ${error.message}\nRun "netreach help ${name}" for usage.\n`);
      return 2;
    }
    if (isInputError(error)) {
      streams.err(`netreach ${name}: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}`);
      return 2;
    }
    streams.err(
      `netreach ${name}: internal error: ${(error as Error).stack ?? String(error)}\nPlease report this with the input that caused it.\n`,
    );
    return 2;
  }
}

/** Runs the CLI on the process's arguments and sets the exit code. */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`netreach: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

// Started directly (`node dist/cli.js`); bin/netreach calls run() itself.
if (require.main === module) run();
