/** `netreach demo`: placeholder until the examples exist. */
import type { ParsedCommand } from './args';
import type { Streams } from './context';

export function runDemo(_command: ParsedCommand, streams: Streams): number {
  streams.out('demo: not written yet\n');
  return 0;
}
