/**
 * Entry of `netreach-language-server`: `--stdio`, `--node-ipc` or `--socket=PORT`, as
 * any LSP client starts it.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('Usage: netreach-language-server --stdio | --node-ipc | --socket=PORT\n');
  process.exit(0);
}
if (args.includes('--version')) {
  process.stdout.write(`${typeof NETREACH_VERSION === 'string' ? NETREACH_VERSION : 'development'}\n`);
  process.exit(0);
}
declare const NETREACH_VERSION: string | undefined;
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.stderr.write('netreach-language-server: choose a transport: --stdio, --node-ipc or --socket=PORT\n');
  process.exit(2);
}

startServer(createConnection(ProposedFeatures.all));
