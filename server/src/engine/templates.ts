/**
 * Templates (Helm charts, other Go or Jinja templates) are not manifests until they are
 * rendered: `{{- include "app.labels" . | nindent 4 }}` is broken YAML, and
 * `app: "{{ .Values.app }}"` is not the label any pod will carry. netreach leaves them
 * out instead of flooding the workspace with errors about them; render them
 * (`helm template`) and analyse the output.
 */

/** A template action, `{{ ... }}`, on one line. */
const TEMPLATE_ACTION = /\{\{.*?\}\}/;

/**
 * An action where YAML expects content, not inside a quoted string: a line that starts
 * with one (`{{- if ... }}`, `- {{ ... }}`) or a value that is one (`name: {{ ... }}`).
 */
const UNQUOTED_ACTION = /^[ \t]*(?:- )?\{\{|:[ \t]+\{\{/m;

/**
 * Whether a file is a template: it holds template actions and lies in a `templates/`
 * folder (Helm's layout), or does not parse as YAML with an action where YAML expects
 * content. A manifest that parses with actions as data (an alerting template in a
 * ConfigMap) stays a manifest, and so does a broken one whose actions are all inside
 * quoted strings (a half-rendered image name): its documents before the error are
 * analysed, as kubectl applies them.
 */
export function isTemplate(uri: string, text: string, parses: boolean): boolean {
  if (!text.includes('{{') || !TEMPLATE_ACTION.test(text)) return false;
  if (/\/templates\//.test(uri.replace(/\\/g, '/'))) return true;
  return !parses && UNQUOTED_ACTION.test(text);
}
