#!/usr/bin/env bash
# The multi-site benchmark (issue 9): a fleet of N lab sites rendered from examples/gitops's
# template (NS over WinRM, gateway over SSH, Linux perimeter firewall; 11 resources a site), every
# lab command delayed by LATENCY ms. Scenarios, each a real `cem` process on the fleet:
#   render           cem render (all sites to disk; no host contacted)
#   plan-fresh       cem plan --sites all against empty hosts
#   apply-fresh      cem apply --sites all --auto-approve
#   plan-converged   cem plan --sites all --detailed-exitcode with nothing to do
#   rollout          cem rollout --auto-approve of the converged fleet (canary, 10%, rest; gates)
# Results: bench/results/fleet-N<sites>.json and a table on stdout.
#
#   bench/fleet.sh                  N=100 at 500 ms
#   SITES="20 100" LATENCY=0 bench/fleet.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sites_list=${SITES:-"100"}
latency=${LATENCY:-500}
(cd "$root" && ./cem version >/dev/null && ./mvnw -q -B -ntp -o install -DskipTests -pl testkit -am >/dev/null)
jar="$root/cli/target/cem.jar"
jvm=$(sed -n 's/^exec "$java" \(.*\) -Xshare:auto -jar .*/\1/p' "$root/cem")
testkit=$(ls "$root"/testkit/target/cem-testkit-*.jar | grep -v sources | head -n 1)
. "$root/bench/lib.sh"

for n in $sites_list; do
  work=$(mktemp -d /tmp/cem-fleet.XXXXXX)
  dir="$work/fleet"
  java -cp "$testkit" cem.testkit.Fleets "$n" "$dir" "$root"
  echo "== fleet of $n sites ($((n * 3)) hosts, $((n * 11)) resources), latency ${latency} ms, $(nproc) cores, $(date -u +%F)" >&2
  {
    run render "$dir" render
    run plan-fresh "$dir" plan --sites all
    run apply-fresh "$dir" apply --sites all --auto-approve
    run plan-converged "$dir" plan --sites all --detailed-exitcode
    run rollout "$dir" rollout --auto-approve
  } > "$work/results.jsonl"
  /usr/bin/python3 - "$work/results.jsonl" "$root/bench/results/fleet-N$n.json" "$n" "$latency" <<'PY'
import json, sys, platform, os, datetime
rows = [json.loads(l) for l in open(sys.argv[1])]
n, latency = int(sys.argv[3]), int(sys.argv[4])
doc = {"sites": n, "hosts": n * 3, "resources": n * 11, "latency_ms": latency, "cores": os.cpu_count(),
       "machine": platform.machine(), "date": datetime.date.today().isoformat(), "scenarios": rows}
json.dump(doc, open(sys.argv[2], "w"), indent=2)
print(f"{'scenario':16} {'wall s':>7} {'cmds':>7} {'per host':>9} {'rss MB':>7} {'cpu s':>6} {'lab cpu':>7}  result")
for r in rows:
    print(f"{r['scenario']:16} {r['wall_s']:7.2f} {r['commands_total']:7d} {r['commands_per_host_min']:>4}-{r['commands_per_host_max']:<4} "
          f"{r['peak_rss_mb']:7d} {r['cpu_s']:6.2f} {r['lab_cpu_s']:7.2f}  {r['result']}")
PY
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
done
