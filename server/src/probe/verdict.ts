/**
 * Observed versus predicted (docs/probing.md, "Verdicts"):
 *   CONNECTED  allowed (and something listens): match when predicted allowed.
 *   TIMEOUT    dropped, most likely by policy: match when predicted denied. For UDP, silence
 *              proves nothing (most UDP servers do not answer a probe): inconclusive.
 *   REFUSED    the packet got through and nothing listens, unless the plugin rejects instead
 *              of dropping: "allowed, port closed" when predicted allowed, else inconclusive.
 *   DNS, OTHER, error (not probed, pod failed...): inconclusive.
 */
import type { ProbeResult } from '../cluster/runner';
import type { Observed } from '../cluster/runner';
import { formatPort, type PlannedCheck } from './planner';

export type Verdict = 'match' | 'mismatch' | 'inconclusive';

/** One row of the results, as `--output json` prints it and the view shows it. */
export interface ProbeRowData {
  readonly from: string;
  readonly to: string;
  /** `TCP 8080`. */
  readonly port: string;
  readonly predicted: 'allowed' | 'denied';
  readonly observed: Observed;
  readonly verdict: Verdict;
  readonly reason: string;
}

export function judge(
  check: Pick<PlannedCheck, 'predicted' | 'protocol'>,
  observed: Observed,
  detail?: string,
): { verdict: Verdict; reason: string } {
  const allowed = check.predicted === 'allowed';
  switch (observed) {
    case 'connected':
      return allowed
        ? { verdict: 'match', reason: 'connected, as predicted' }
        : {
            verdict: 'mismatch',
            reason:
              'connected although predicted denied: the network plugin may not enforce NetworkPolicy, or another path allows it',
          };
    case 'timeout':
      if (check.protocol === 'UDP') {
        return {
          verdict: 'inconclusive',
          reason: 'no UDP answer: silence does not tell a drop from a server that does not reply',
        };
      }
      return allowed
        ? {
            verdict: 'mismatch',
            reason:
              'timed out although predicted allowed: dropped by the network (another policy, a cluster firewall) or the pod does not answer',
          }
        : { verdict: 'match', reason: 'timed out (dropped), as predicted' };
    case 'refused':
      return allowed
        ? {
            verdict: 'match',
            reason: 'allowed, port closed: the connection got through but nothing listens on the port',
          }
        : {
            verdict: 'inconclusive',
            reason:
              'refused: either the packet got through to a closed port, or the network plugin rejects instead of dropping',
          };
    case 'dns':
      return { verdict: 'inconclusive', reason: 'the probe reported a DNS failure' };
    case 'other':
      return { verdict: 'inconclusive', reason: `the probe failed for another reason${detail ? ` (${detail})` : ''}` };
    case 'error':
      return {
        verdict: 'inconclusive',
        reason: /^not probed\b/i.test(detail ?? '') ? detail! : `not probed: ${detail ?? 'unknown error'}`,
      };
  }
}

/** The row of one check; an absent result (the run never reached it) is an error. */
export function rowFor(
  check: PlannedCheck,
  result: ProbeResult | undefined,
): ProbeRowData & { check: PlannedCheck; attempts: readonly Observed[] } {
  const observed: Observed = result?.observed ?? 'error';
  const detail = result?.detail ?? (result ? undefined : 'the run stopped before this connection was probed');
  const judged = judge(check, observed, detail);
  const { verdict, reason } =
    judged.verdict === 'mismatch' && check.caveat
      ? { verdict: 'inconclusive' as const, reason: `inconclusive: ${judged.reason}, but ${check.caveat}` }
      : judged;
  const parts = [reason];
  if (result && result.attempts.length > 1) parts.push(`re-probed: ${result.attempts.join(', then ')}`);
  if (result?.detail && observed !== 'error' && observed !== 'other') parts.push(result.detail);
  parts.push(check.decidedBy);
  if (check.filesPredict) {
    parts.push(`the files' policies would make it ${check.filesPredict} (not applied, or different in the cluster)`);
  }
  return {
    from: check.from.id,
    to: check.to.id,
    port: formatPort(check),
    predicted: check.predicted,
    observed,
    verdict,
    reason: parts.join('; '),
    check,
    attempts: result?.attempts ?? [],
  };
}

/** The check ids to probe once more: those where observed and predicted disagree. */
export function disagreements(checks: ReadonlyMap<string, PlannedCheck>, results: readonly ProbeResult[]): string[] {
  return results
    .filter((r) => {
      const check = checks.get(r.id);
      return check !== undefined && !check.caveat && judge(check, r.observed, r.detail).verdict === 'mismatch';
    })
    .map((r) => r.id);
}
