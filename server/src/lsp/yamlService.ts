/**
 * Schema validation, field completion and field hover for NetworkPolicy documents,
 * through yaml-language-server used as a library. The schema applies to documents of
 * kind NetworkPolicy only (an if/then wrapper), so Deployments and other YAML in the same
 * files are left alone; diagnostics that repeat one of netreach's own findings are
 * dropped.
 */
import { InsertTextFormat, type CompletionItem, type Diagnostic, type Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService, type LanguageService } from 'yaml-language-server';
import networkPolicySchema from '../../../schemas/networkpolicy.schema.json';

const SCHEMA_URI = 'netreach://schemas/networkpolicy-documents.json';

/** The NetworkPolicy schema, applied only to documents whose kind is NetworkPolicy. */
function documentsSchema(): Record<string, unknown> {
  // yaml-language-server changes schema objects it is given: hand it a fresh copy.
  const { definitions, $schema, ...policy } = structuredClone(networkPolicySchema) as Record<string, unknown>;
  return {
    $schema,
    definitions,
    if: { type: 'object', properties: { kind: { const: 'NetworkPolicy' } }, required: ['kind'] },
    then: policy,
  };
}

export class YamlService {
  private readonly service: LanguageService;

  constructor() {
    this.service = getLanguageService({
      schemaRequestService: async (uri) => {
        throw new Error(`netreach does not fetch schemas (${uri})`);
      },
      workspaceContext: { resolveRelativePath: (relative) => relative },
    });
    this.service.configure({
      validate: true,
      completion: true,
      hover: true,
      format: false,
      isKubernetes: false,
      hoverSchemaSource: false,
      schemas: [{ uri: SCHEMA_URI, fileMatch: ['*', '**/*'], schema: documentsSchema() }],
    });
  }

  async validate(uri: string, version: number, text: string): Promise<Diagnostic[]> {
    if (!/kind:\s*["']?NetworkPolicy/.test(text)) return [];
    const diagnostics = await this.service.doValidation(TextDocument.create(uri, 'yaml', version, text), false);
    // Syntax errors are netreach's own findings (NR014); keep schema problems only.
    return diagnostics
      .filter((d) => /schema/i.test(String(d.source ?? '')))
      .map((d) => ({ ...d, source: 'netreach (schema)' }));
  }

  /** `snippets`: the client supports snippet syntax (yaml-language-server always writes it). */
  async complete(
    uri: string,
    version: number,
    text: string,
    position: Position,
    snippets = true,
  ): Promise<CompletionItem[]> {
    if (!/kind:\s*["']?NetworkPolicy/.test(text)) return [];
    const list = await this.service.doComplete(TextDocument.create(uri, 'yaml', version, text), position, false);
    return snippets ? list.items : list.items.map(withoutSnippet);
  }

  async hover(uri: string, version: number, text: string, position: Position): Promise<string | undefined> {
    if (!/kind:\s*["']?NetworkPolicy/.test(text)) return undefined;
    const hover = await this.service.doHover(TextDocument.create(uri, 'yaml', version, text), position);
    const contents = hover?.contents;
    if (!contents) return undefined;
    const parts = Array.isArray(contents) ? contents : [contents];
    return parts.map((part) => (typeof part === 'string' ? part : part.value)).join('\n\n') || undefined;
  }
}

/** A snippet completion as plain text: placeholders become their default text, tab stops nothing. */
function withoutSnippet(item: CompletionItem): CompletionItem {
  if (item.insertTextFormat !== InsertTextFormat.Snippet) return item;
  const plain = (text: string) =>
    text
      .replace(/\$\{\d+:([^}]*)\}/g, '$1')
      .replace(/\$\{\d+\}|\$\d+/g, '')
      .replace(/\\([$}\\])/g, '$1');
  const textEdit = item.textEdit && { ...item.textEdit, newText: plain(item.textEdit.newText) };
  return {
    ...item,
    insertTextFormat: InsertTextFormat.PlainText,
    ...(item.insertText !== undefined ? { insertText: plain(item.insertText) } : {}),
    ...(textEdit ? { textEdit } : {}),
  };
}

/** Drops schema diagnostics that overlap a netreach finding: one problem, one diagnostic. */
export function withoutDuplicates(schema: readonly Diagnostic[], own: readonly Diagnostic[]): Diagnostic[] {
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return schema.filter(
    (s) => !own.some((o) => before(s.range.start, o.range.end) && before(o.range.start, s.range.end)),
  );
}
