/**
 * HTML of the reachability view. Pure functions from the server's answers to markup, with
 * every value escaped; the only script posts clicks back to the extension.
 */
import type {
  ConnectionDto,
  EndpointDto,
  ExplainResult,
  ExplainSideDto,
  LocationDto,
  ReachabilityResult,
} from '../../server/src/protocol';

export interface ProbeRow {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly predicted: 'allowed' | 'denied';
  readonly observed: string;
  readonly verdict: 'match' | 'mismatch' | 'inconclusive';
  readonly reason: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const attr = (value: unknown) => escapeHtml(JSON.stringify(value));

function page(title: string, body: string, nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px 24px; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
  table { border-collapse: collapse; margin: 6px 0; }
  th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 3px 8px; text-align: left; vertical-align: top; }
  th { background: var(--vscode-editorWidget-background); }
  td.cell { cursor: pointer; font-family: var(--vscode-editor-font-family); white-space: nowrap; }
  td.cell:hover, tr.row:hover td { background: var(--vscode-list-hoverBackground); }
  td.none { color: var(--vscode-disabledForeground); }
  td.self { background: var(--vscode-editorWidget-background); }
  .allowed { color: var(--vscode-testing-iconPassed, #3a3); }
  .denied, .mismatch { color: var(--vscode-errorForeground, #c33); font-weight: bold; }
  .inconclusive { color: var(--vscode-editorWarning-foreground, #b80); }
  tr.mismatch td { background: var(--vscode-inputValidation-errorBackground, #f003); }
  a { color: var(--vscode-textLink-foreground); cursor: pointer; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 2px 8px; cursor: pointer; }
  #explanation { margin-top: 16px; padding: 8px 12px; border-left: 3px solid var(--vscode-textLink-foreground); background: var(--vscode-editorWidget-background); }
  #explanation:empty { display: none; }
  pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
  .hint { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
${body}
<div id="explanation" aria-live="polite"></div>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-explain],[data-open]');
    if (!target) return;
    if (target.dataset.explain) vscode.postMessage({ type: 'explain', ...JSON.parse(target.dataset.explain) });
    if (target.dataset.open) vscode.postMessage({ type: 'open', location: JSON.parse(target.dataset.open) });
  });
  window.addEventListener('message', (event) => {
    if (event.data.type === 'explanation') {
      const box = document.getElementById('explanation');
      box.innerHTML = event.data.html;
      box.scrollIntoView({ behavior: 'smooth' });
    }
  });
</script>
</body>
</html>`;
}

function link(text: string, location: LocationDto | undefined): string {
  return location && location.uri
    ? `<a data-open="${attr(location)}" title="Go to the manifest">${escapeHtml(text)}</a>`
    : escapeHtml(text);
}

function endpointLink(endpoint: EndpointDto): string {
  return link(endpoint.name, endpoint.location);
}

function connectionRows(rows: readonly ConnectionDto[], self: string, direction: 'in' | 'out'): string {
  if (rows.length === 0)
    return `<p class="hint">${direction === 'in' ? 'Nothing may connect to it.' : 'It may connect to nothing.'}</p>`;
  const body = rows
    .map((row) => {
      const explain = direction === 'in' ? { from: row.peer.name, to: self } : { from: self, to: row.peer.name };
      return `<tr class="row"><td>${endpointLink(row.peer)}</td><td class="cell" data-explain="${attr(explain)}" title="Why? Click to explain">${escapeHtml(row.connections)}</td></tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>${direction === 'in' ? 'From' : 'To'}</th><th>Allowed</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function renderReachability(result: ReachabilityResult, nonce: string): string {
  if (result.kind === 'none') {
    return page(result.title, `<h1>${escapeHtml(result.title)}</h1><p>${escapeHtml(result.message)}</p>`, nonce);
  }
  if (result.kind === 'workload') {
    const policies = (list: readonly { name: string; location: LocationDto }[], direction: string) =>
      list.length
        ? `Isolated for ${direction} by ${list.map((p) => link(p.name, p.location)).join(', ')}.`
        : `Not isolated for ${direction}: no NetworkPolicy selects it, so everything is allowed.`;
    const denied = (names: readonly string[], what: string) =>
      names.length
        ? `<details><summary>${names.length} ${what}</summary><p>${names.map(escapeHtml).join(', ')}</p></details>`
        : '';
    const body = `
<h1>${endpointLink(result.workload)}</h1>
<p class="hint">Click a connection to see which policy and rule allow it.</p>
<h2>Who can reach it</h2>
<p>${policies(result.ingressPolicies, 'ingress')}</p>
${connectionRows(result.inbound, result.workload.name, 'in')}
${denied(result.deniedFrom, 'workloads cannot reach it')}
<h2>What it can reach</h2>
<p>${policies(result.egressPolicies, 'egress')}</p>
${connectionRows(result.outbound, result.workload.name, 'out')}
${denied(result.deniedTo, 'workloads it cannot reach')}`;
    return page(result.title, body, nonce);
  }
  const header = result.endpoints.map((e) => `<th>${endpointLink(e)}</th>`).join('');
  const rows = result.endpoints
    .map((from, i) => {
      const cells = result.cells[i]
        .map((cell, j) => {
          if (i === j) return '<td class="self"></td>';
          const explain = attr({ from: from.name, to: result.endpoints[j].name });
          return cell
            ? `<td class="cell" data-explain="${explain}" title="${escapeHtml(`${from.name} -> ${result.endpoints[j].name}: ${cell}. Click to explain.`)}">${escapeHtml(cell)}</td>`
            : `<td class="cell none" data-explain="${explain}" title="${escapeHtml(`${from.name} -> ${result.endpoints[j].name}: denied. Click to explain.`)}">denied</td>`;
        })
        .join('');
      return `<tr><th>${endpointLink(from)}</th>${cells}</tr>`;
    })
    .join('\n');
  const body = `
<h1>${escapeHtml(result.title)}</h1>
<p class="hint">Rows are sources, columns destinations. Click a cell to see which policy and rule decide.</p>
<table><thead><tr><th>from \\ to</th>${header}</tr></thead><tbody>${rows}</tbody></table>`;
  return page(result.title, body, nonce);
}

function renderSide(side: ExplainSideDto): string {
  const title = side.direction === 'egress' ? `Egress from ${side.endpoint}` : `Ingress to ${side.endpoint}`;
  if (!side.governed) return `<p><b>${escapeHtml(title)}</b>: an external address, not governed by NetworkPolicy.</p>`;
  if (side.isolatingPolicies.length === 0)
    return `<p><b>${escapeHtml(title)}</b>: not isolated, everything allowed.</p>`;
  const policies = side.isolatingPolicies.map((p) => link(p.name, p.location)).join(', ');
  const rules = side.rules.length
    ? `<ul>${side.rules.map((r) => `<li>${link(`${r.policy} rule ${r.rule}`, r.location)}: ${escapeHtml(r.ports)} (${escapeHtml(r.peer)})</li>`).join('')}</ul>`
    : '<p class="denied">No rule of these policies matches: denied.</p>';
  return `<p><b>${escapeHtml(title)}</b>: isolated by ${policies}; allows ${escapeHtml(side.allowed)}.</p>${rules}`;
}

export function renderExplanation(result: ExplainResult): string {
  const verdict =
    result.allowed === 'no ports'
      ? '<span class="denied">denied</span>'
      : `<span class="allowed">${escapeHtml(result.allowed)}</span>`;
  return `<h2>${escapeHtml(result.from)} → ${escapeHtml(result.to)}: ${verdict}</h2>${renderSide(result.egress)}${renderSide(result.ingress)}`;
}

export function renderProbeResults(title: string, rows: readonly ProbeRow[], summary: string, nonce: string): string {
  const body = rows
    .map(
      (
        r,
      ) => `<tr class="${r.verdict}"><td>${escapeHtml(r.from)}</td><td>${escapeHtml(r.to)}</td><td>${escapeHtml(r.port)}</td>
<td class="${r.predicted}">${escapeHtml(r.predicted)}</td><td>${escapeHtml(r.observed)}</td><td class="${r.verdict}">${escapeHtml(r.verdict)}</td>
<td>${escapeHtml(r.reason)} <a data-explain="${attr({ from: r.from, to: r.to })}">why?</a></td></tr>`,
    )
    .join('\n');
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(summary)}</p>
<table><thead><tr><th>From</th><th>To</th><th>Port</th><th>Predicted</th><th>Observed</th><th>Verdict</th><th>Reason</th></tr></thead><tbody>${body}</tbody></table>`,
    nonce,
  );
}
