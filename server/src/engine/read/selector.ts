/**
 * Reading LabelSelectors (`podSelector`, `namespaceSelector`) with the API's validation.
 */
import { isScalar, type Node } from 'yaml';
import type { Field, FieldReader } from '../ast';
import type { Finding } from '../findings';
import {
  labelKeyProblem,
  labelValueProblem,
  makeSelector,
  OPERATORS,
  type Operator,
  type Requirement,
} from '../labels';
import type { SelectorField } from '../model';

export function readSelector(reader: FieldReader, field: Field | undefined): SelectorField | undefined {
  if (!field) return undefined;
  if (field.value === undefined) {
    // `podSelector:` with nothing after it is null: the API stores an empty selector.
    return { selector: makeSelector([]), span: field.span, invalid: false };
  }
  const map = reader.map(field);
  if (!map) return undefined;
  const requirements: Requirement[] = [];
  let invalid = false;
  // Findings point at the smallest node: the value, when there is one.
  const valueSpan = (f: Field) => (f.value?.range ? reader.span(f.value) : f.span);
  const report = (finding: Omit<Finding, 'code' | 'severity' | 'rejectedByApi'>) => {
    invalid = true;
    reader.findings.push({ code: 'NR011', severity: 'error', rejectedByApi: true, ...finding });
  };

  const matchLabels = reader.stringMap(reader.field(map, 'matchLabels'));
  for (const [key, entry] of matchLabels ?? []) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      report({
        message: `Invalid label key: ${keyProblem}. The API server refuses this selector.`,
        span: entry.keySpan,
      });
    const valueProblem = labelValueProblem(entry.value);
    if (valueProblem)
      report({
        message: `Invalid label value: ${valueProblem}. The API server refuses this selector.`,
        span: entry.valueSpan,
      });
    requirements.push({ key, operator: 'In', values: [entry.value] });
  }

  const expressions = reader.seq(reader.field(map, 'matchExpressions'));
  for (const item of reader.items(expressions)) {
    const expression = reader.itemMap(item, 'matchExpressions', reader.span((item ?? expressions) as Node));
    if (!expression) continue;
    const keyField = reader.field(expression, 'key');
    const operatorField = reader.field(expression, 'operator');
    const valuesField = reader.field(expression, 'values');
    const key = reader.string(keyField);
    const operatorText = reader.string(operatorField);
    const valuesSeq = reader.seq(valuesField);
    const values: string[] = [];
    const valueNodes: Node[] = [];
    for (const valueNode of reader.items(valuesSeq)) {
      if (valueNode && isScalar(valueNode) && typeof valueNode.value === 'string') {
        values.push(valueNode.value);
        valueNodes.push(valueNode);
      } else if (valueNode)
        reader.typeError({ key: 'values', value: valueNode, span: reader.span(valueNode) }, 'a list of strings');
    }
    const expressionSpan = reader.span(expression);
    if (key === undefined) {
      if (!keyField)
        report({
          message: 'This match expression has no `key`. The API server refuses this selector.',
          span: expressionSpan,
        });
      continue;
    }
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      report({
        message: `Invalid label key: ${keyProblem}. The API server refuses this selector.`,
        span: valueSpan(keyField!),
      });
    const operator = OPERATORS.find((o) => o === operatorText);
    if (!operator) {
      const near = OPERATORS.find((o) => o.toLowerCase() === operatorText?.toLowerCase());
      report({
        message:
          operatorText === undefined
            ? 'This match expression has no `operator` (In, NotIn, Exists or DoesNotExist). The API server refuses this selector.'
            : `"${operatorText}" is not a selector operator${near ? `; did you mean ${near}?` : ' (In, NotIn, Exists, DoesNotExist)'}. The API server refuses this selector.`,
        span: operatorField ? valueSpan(operatorField) : expressionSpan,
        data: near ? { replacement: near } : undefined,
      });
      // Matches nothing: an In without values.
      requirements.push({ key, operator: 'In', values: [] });
      continue;
    }
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && values.length === 0) {
      report({
        message: `\`${operator}\` needs at least one value in \`values\`. The API server refuses this selector.`,
        span: valueSpan(valuesField ?? operatorField!),
        data: { operator },
      });
    } else if (!needsValues && valuesField && (valuesSeq?.items.length ?? 0) > 0) {
      report({
        message: `\`${operator}\` takes no \`values\`. The API server refuses this selector.`,
        span: valuesField.span,
        data: { operator, removeValues: true },
      });
    }
    values.forEach((value, i) => {
      const valueProblem = labelValueProblem(value);
      if (valueProblem)
        report({
          message: `Invalid label value: ${valueProblem}. The API server refuses this selector.`,
          span: reader.span(valueNodes[i]),
        });
    });
    requirements.push({ key, operator: operator as Operator, values: needsValues ? values : [] });
  }
  return { selector: makeSelector(requirements), span: field.span, invalid };
}
