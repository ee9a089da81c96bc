/**
 * Finding the Kubernetes objects in parsed files: a document whose top level is a
 * mapping with string `apiVersion` and `kind`, and the items of `List` objects. Anything
 * else (other YAML, JSON data, Helm values) is not Kubernetes and is ignored.
 */
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import type { Span } from './findings';
import { contentEnd, type ParsedDocument, type ParsedFile } from './yamlFile';

export interface KubeObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string | undefined;
  /** As written; undefined when `metadata.namespace` is absent. */
  readonly namespace: string | undefined;
  /**
   * The namespace a kustomization that lists this file gives it (its `namespace:`), which
   * wins over `metadata.namespace`, as kustomize's namespace transformer does.
   */
  readonly assignedNamespace?: string;
  readonly map: YAMLMap;
  readonly file: ParsedFile;
  readonly document: ParsedDocument;
  readonly span: Span;
  /** The span of `metadata.name`'s value, or of the object when absent. */
  readonly nameSpan: Span;
}

export function findObjects(file: ParsedFile): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of file.documents) {
    const contents = document.document.contents;
    if (contents && isMap(contents)) collect(file, document, contents, undefined, objects);
  }
  return objects;
}

function scalarString(map: YAMLMap, key: string): string | undefined {
  const value = map.get(key, true) as Node | undefined;
  return value && isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

function collect(
  file: ParsedFile,
  document: ParsedDocument,
  map: YAMLMap,
  inherited: { apiVersion: string; kind: string } | undefined,
  into: KubeObject[],
): void {
  const kind = scalarString(map, 'kind') ?? inherited?.kind;
  const apiVersion = scalarString(map, 'apiVersion') ?? inherited?.apiVersion;
  if (!kind || !apiVersion) return;
  const items = map.get('items', true) as Node | undefined;
  if (kind.endsWith('List') && items && 'items' in items && Array.isArray(items.items)) {
    // Items of a typed list (PodList) may omit kind and apiVersion; a plain List's items carry their own.
    const itemKind = kind === 'List' ? undefined : { apiVersion, kind: kind.slice(0, -'List'.length) };
    for (const item of items.items as unknown[]) {
      if (isMap(item)) collect(file, document, item, itemKind, into);
    }
    return;
  }
  const metadata = map.get('metadata', true) as Node | undefined;
  const metadataMap = metadata && isMap(metadata) ? metadata : undefined;
  const nameNode = metadataMap?.get('name', true) as Node | undefined;
  const range = map.range ?? [document.start, document.end, document.end];
  const span: Span = { uri: file.uri, start: range[0], end: contentEnd(file.text, range[0], range[1]) };
  into.push({
    kind,
    apiVersion,
    name: metadataMap ? scalarString(metadataMap, 'name') : undefined,
    namespace: metadataMap ? scalarString(metadataMap, 'namespace') : undefined,
    map,
    file,
    document,
    span,
    nameSpan: nameNode?.range ? { uri: file.uri, start: nameNode.range[0], end: nameNode.range[1] } : span,
  });
}
