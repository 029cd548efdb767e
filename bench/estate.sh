#!/usr/bin/env bash
# The estate-scale benchmark (issue 11): N lab sites (an NS over WinRM, a gateway over SSH and a
# Linux perimeter firewall each, 12 resources per site), every lab command delayed by LATENCY ms
# as real Windows would be, and these scenarios, each a real `cem` process:
#   plan-fresh      plan against empty hosts
#   apply-fresh     apply everything
#   plan-converged  plan with nothing to do
#   plan-drift      plan after changes by hand on 5% of the hosts
#   baseline        plan-converged with one remote command per resource and parallelism 10
#                   (the Terraform cost model), in the same run
# For each: wall time, remote commands per host (counted by the lab), total commands, peak RSS,
# CPU time of the process and of the lab's threads (read from /proc). Results: bench/results/estate-N<sites>.json
# and a table on stdout.
#
#   bench/estate.sh                 N=10 and N=100 at 500 ms
#   SITES="500" bench/estate.sh     the 500-site run (about 10 minutes on 2 cores)
#   LATENCY=0 PARALLELISM=64 …      other settings
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sites_list=${SITES:-"10 100"}
latency=${LATENCY:-500}
parallelism=${PARALLELISM:-}
(cd "$root" && ./cem version >/dev/null && ./mvnw -q -B -ntp -o install -DskipTests -pl testkit -am >/dev/null)
jar="$root/cli/target/cem.jar"
# The JVM options of the launchers (./cem, bin/cem): the benchmark measures what users run.
jvm=$(sed -n 's/^exec "$java" \(.*\) -Xshare:auto -jar .*/\1/p' "$root/cem")
testkit=$(ls "$root"/testkit/target/cem-testkit-*.jar | grep -v sources | head -n 1)

. "$root/bench/lib.sh"

drift() { # dir, fraction of gateway hosts whose services are stopped by hand
  /usr/bin/python3 - "$1" <<'EOF'
import json, os, sys, glob
lab = os.path.join(sys.argv[1], ".cem", "lab")
files = sorted(glob.glob(os.path.join(lab, "ig*.json")))
every = max(1, round(len(files) / max(1, round(len(files) * 3 * 0.05))))
for f in files[::every]:
    s = json.load(open(f))
    for svc in s.get("services", {}).values():
        svc["state"] = "stopped"
    json.dump(s, open(f, "w"))
EOF
}

for n in $sites_list; do
  work=$(mktemp -d /tmp/cem-estate.XXXXXX)
  cp -r "$root/examples/certs" "$work/certs"
  dir="$work/estate"
  mkdir -p "$dir"
  java -cp "$testkit" cem.testkit.Estates "$n" "$dir/estate.yaml" lab
  p=()
  [ -n "$parallelism" ] && p=(--parallelism "$parallelism")
  echo "== $n sites ($((n * 3)) hosts, $((n * 12)) resources), latency ${latency} ms, $(nproc) cores, $(date -u +%F)" >&2
  {
    run plan-fresh "$dir" plan "${p[@]}"
    run apply-fresh "$dir" apply --auto-approve "${p[@]}"
    run plan-converged "$dir" plan --detailed-exitcode "${p[@]}"
    drift "$dir"
    run plan-drift "$dir" plan --detailed-exitcode "${p[@]}"
    run baseline "$dir" plan --detailed-exitcode --one-command-per-resource --parallelism 10
  } > "$work/results.jsonl"
  /usr/bin/python3 - "$work/results.jsonl" "$root/bench/results/estate-N$n.json" "$n" "$latency" "${parallelism:-default}" <<'EOF'
import json, sys, platform, os, datetime
rows = [json.loads(l) for l in open(sys.argv[1])]
n, latency, parallelism = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
doc = {"sites": n, "hosts": n * 3, "resources": n * 12, "latency_ms": latency, "parallelism": parallelism,
       "cores": os.cpu_count(), "machine": platform.machine(), "date": datetime.date.today().isoformat(), "scenarios": rows}
json.dump(doc, open(sys.argv[2], "w"), indent=2)
width = int(parallelism) if parallelism.isdigit() else 64  # cem's default --parallelism
limit = n * 3 * latency / 1000 / width
print(f"latency limit (hosts x latency / parallelism {width}): {limit:.2f} s")
print(f"{'scenario':16} {'wall s':>7} {'cmds':>7} {'per host':>9} {'rss MB':>7} {'cpu s':>6} {'lab thr':>7}  result")
for r in rows:
    lab = r.get('lab_threads_cpu_s')
    print(f"{r['scenario']:16} {r['wall_s']:7.2f} {r['commands_total']:7d} {r['commands_per_host_min']:>4}-{r['commands_per_host_max']:<4} "
          f"{r['peak_rss_mb']:7d} {r['cpu_s']:6.2f} {lab if lab is not None else float('nan'):7.2f}  {r['result']}")
conv = next((r for r in rows if r['scenario'] == 'plan-converged'), None)
base = next((r for r in rows if r['scenario'] == 'baseline'), None)
if conv and base:
    print(f"converged plan: {conv['wall_s'] / limit:.2f}x the latency limit; baseline / converged: {base['wall_s'] / conv['wall_s']:.1f}x")
EOF
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
done
