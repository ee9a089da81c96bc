/** Help texts of the CLI. */
declare const NETREACH_VERSION: string | undefined;

export const VERSION = typeof NETREACH_VERSION === 'string' ? NETREACH_VERSION : 'development';

export const HELP = `netreach: understand Kubernetes NetworkPolicies.

Usage: netreach <command> [options]

Commands:
  lint <paths...>       the problems in NetworkPolicies (text, JSON or SARIF), --fix
  connlist <paths...>   the allowed connections between workloads and IP ranges
  explain <paths...>    whether one connection is allowed, and which rules decide
  probe [paths...]      test reachability in the live cluster with short-lived probe pods
  demo [paths...]       a short tour on the bundled examples (what "npm start" runs)
  help [command]        help on a command

Paths are manifest files or folders (searched recursively for .yaml, .yml, .json);
'-' reads standard input, e.g. "helm template CHART | netreach lint -".
Exit codes: 0 success, 1 findings or failures, 2 usage or input errors.
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  connlist: `Usage: netreach connlist <paths...> [--output txt|json|md|csv|dot] [--ipblock-pods match|ignore]

Lists every directed pair of workloads (ns/name[Kind]) and external IP ranges
(first-last[External]) with the connections the NetworkPolicies allow between them.
A connection needs the source's egress and the destination's ingress.

  -o, --output FORMAT      txt (default), json, md, csv or dot
      --ipblock-pods MODE  match (default): an ipBlock also matches pods whose
                           status.podIP lies inside it (Calico, Antrea, OVN-Kubernetes);
                           ignore: ipBlocks match only external addresses (Cilium)

Stops with exit code 2 when the manifests have problems that make the answer uncertain
(a policy the API server would refuse, duplicate names, ...).
`,
  explain: `Usage: netreach explain <paths...> --from A --to B [--port TCP/80] [--output txt|json]

Says whether traffic from A to B is allowed, and which policies and rules decide, with
the file and line of each. A and B are workloads (ns/name[Kind], ns/name, or a name that
is unique) or IP addresses.

      --port PROTO/PORT    the verdict for one port, e.g. TCP/8080 or UDP/53
  -o, --output FORMAT      txt (default) or json
      --ipblock-pods MODE  match (default) or ignore, as for connlist
`,
  lint: `Usage: netreach lint <paths...> [--format text|json|sarif] [--fix] [--check CODE=LEVEL ...]
                             [--fail-on error|warning|info] [--ipblock-pods match|ignore]

Reports what is wrong or risky in NetworkPolicies (codes NR001-NR072, documented at
https://github.com/netreach/netreach/blob/main/docs/checks.md), as the editor does.

  -f, --format FORMAT      text (default), json, or sarif (SARIF 2.1.0 for code scanning)
      --fix                apply every safe fix to the files, then report what remains
      --check CODE=LEVEL   turn a check off or change its level: off, error, warning, info
                           (repeat, or separate with commas: --check NR070=off,NR021=off)
      --fail-on LEVEL      exit 1 when findings at this level or above remain (default: error)
      --ipblock-pods MODE  match (default) or ignore, as for connlist

Silence one place with a comment on the line above it:
  # netreach-disable-next-line NR022
`,
  probe: `Usage: netreach probe [paths...] [--from A] [--to B] [--port TCP/80 ...] [--yes] [--dry-run]
                      [--kubeconfig FILE] [--context NAME] [--image IMAGE]
                      [--timeout-seconds N] [--max-pods N] [--output txt|json]

Tests reachability in the live cluster: reads its namespaces, pods, services and
NetworkPolicies, predicts each connection with the same engine as "explain", runs
short-lived unprivileged probe pods that carry the source's namespace and labels, connects
from them to real pod IPs and ports, and compares. Says when a policy in the paths is not
applied yet or differs from the cluster's.

Scope: the paths' policies (allowed and not-allowed sources, per rule); --from and/or --to
(A and B are workloads of the cluster: ns/name[Kind], or ns/name when unique); neither:
a capped matrix of the whole cluster (kube-* namespaces left out).

  -y, --yes                create the probe pods. Without it nothing is created: the plan,
                           context and cluster are printed and the exit code is 0
      --dry-run            print the plan and the exact pod manifests; create nothing
      --port PROTO/PORT    probe these ports instead of the ports the rules open (repeat)
      --kubeconfig FILE    default: KUBECONFIG, then ~/.kube/config
      --context NAME       default: the kubeconfig's current context
      --image IMAGE        probe image providing agnhost (default the pinned
                           registry.k8s.io/e2e-test-images/agnhost)
      --timeout-seconds N  deadline of the run; probe pods stop by themselves after it
                           (default 120)
      --max-pods N         the most probe pods one run may create (default 20)
  -o, --output FORMAT      txt (default) or json: an array of {from, to, port, predicted,
                           observed, verdict, reason}

Verdicts: CONNECTED matches "allowed"; TIMEOUT matches "denied" (UDP silence is
inconclusive); REFUSED is "allowed, port closed" when allowed, else inconclusive; DNS,
OTHER and errors are inconclusive. Disagreements are probed once more.
Exit codes: 0 all match or inconclusive, 1 a mismatch, 2 errors (the message says what to
do), 130 cancelled with Ctrl-C (probe pods deleted). Needs Node.js 22.19+ and the RBAC
in deploy/rbac.yaml.
`,
  demo: `Usage: netreach demo [paths...]

A short tour of what netreach finds in a workspace (default: the bundled examples).
`,
};
