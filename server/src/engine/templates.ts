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
 * Whether a file is a template: it holds template actions and either does not parse as
 * YAML or lies in a `templates/` folder (Helm's layout). Actions inside a manifest that
 * parses elsewhere (an alerting template in a ConfigMap) leave it a manifest.
 */
export function isTemplate(uri: string, text: string, parses: boolean): boolean {
  if (!text.includes('{{') || !TEMPLATE_ACTION.test(text)) return false;
  return !parses || /\/templates\//.test(uri.replace(/\\/g, '/'));
}
