/**
 * Fixes for the findings the readers report (NR001-NR014), built from the facts they
 * recorded in `data` and from the YAML around the finding's span.
 */
import type { Finding, Fix } from '../findings';
import type { Workspace } from '../workspace';

type Fixer = (finding: Finding, workspace: Workspace) => Fix[];

const FIXERS: Readonly<Record<string, Fixer>> = {};

export function withStructureFixes(finding: Finding, workspace: Workspace): Finding {
  if (finding.fixes?.length) return finding;
  const fixer = FIXERS[finding.code];
  if (!fixer) return finding;
  const fixes = fixer(finding, workspace);
  return fixes.length ? { ...finding, fixes } : finding;
}
