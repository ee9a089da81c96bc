/**
 * Filling a snippet's placeholders with values the user chose (snippets/README.md
 * describes the rules). Pure, so unit tests cover it without an editor.
 */

export type ParameterKind = 'name' | 'namespace' | 'podLabels' | 'namespaceLabels' | 'port';

export interface SnippetParameter {
  readonly placeholder: number;
  readonly kind: ParameterKind;
  readonly default: string;
}

/** Escapes text for VS Code snippet syntax. */
export function escapeSnippet(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\$/g, '\\$').replace(/}/g, '\\}');
}

/** `key: value` lines for labels, quoting values YAML would not read as strings. */
export function labelLines(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(
      ([key, value]) =>
        `${key}: ${/^(true|false|yes|no|on|off|null|~|[-+]?[\d.]+(e\d+)?|0\d*|)$/i.test(value) ? JSON.stringify(value) : value}`,
    )
    .join('\n');
}

/**
 * Replaces `${n:...}`, `${n}` and `$n` for every given placeholder with its value. Later
 * lines of a multi-line value take the indentation of the placeholder's line.
 */
export function fillSnippet(body: string, values: ReadonlyMap<number, string>): string {
  let result = '';
  let i = 0;
  while (i < body.length) {
    const match = /^\$(?:(\d+)|\{(\d+)(?::((?:[^{}\\]|\\.)*))?\})/.exec(body.slice(i));
    if (body[i] === '\\' && i + 1 < body.length) {
      result += body.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (match) {
      const number = Number(match[1] ?? match[2]);
      const value = values.get(number);
      if (value !== undefined) {
        const lineStart = result.lastIndexOf('\n') + 1;
        const indent = /^[ \t]*/.exec(result.slice(lineStart))![0];
        result += escapeSnippet(value).split('\n').join(`\n${indent}`);
        i += match[0].length;
        continue;
      }
    }
    // A placeholder with nested content spans lines: copy it character by character.
    result += body[i];
    i += 1;
  }
  return result;
}
