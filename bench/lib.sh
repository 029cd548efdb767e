# Shared by bench/estate.sh and bench/fleet.sh: one measured `cem` process.
# Needs: $jar, $jvm, $latency. run SCENARIO DIR ARGS... prints one JSON line: wall time, commands per
# host counted by the lab, peak RSS, CPU of the process, of the lab's command handlers (lab_cpu_s) and of
# all the lab's threads, handshakes included (lab_threads_cpu_s, read from /proc), the summary line.
run() { # scenario, dir, args...
  local scenario=$1 dir=$2; shift 2
  local stats="$dir/.stats-$scenario.json" timing="$dir/.time-$scenario"
  local start end code=0
  start=$(date +%s.%N)
  CEM_LAB_LATENCY_MS=$latency CEM_LAB_STATS="$stats" /usr/bin/time -f "%M %U %S" -o "$timing" \
    java $jvm -jar "$jar" "$@" --no-color "$dir" >"$dir/.out-$scenario" 2>&1 &
  local pid=$!
  # The CPU of the embedded lab's threads (its TLS and SSH handshakes included), read from /proc while it runs.
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/threadcpu.py" "$pid" >"$dir/.threads-$scenario.json" &
  local sampler=$!
  wait "$pid" || code=$?
  end=$(date +%s.%N)
  wait "$sampler" || true
  /usr/bin/python3 - "$scenario" "$stats" "$timing" "$start" "$end" "$code" "$dir/.out-$scenario" "$dir/.threads-$scenario.json" <<'EOF'
import json, os, sys
scenario, stats, timing, start, end, code, out, threads = sys.argv[1:]
t = json.load(open(threads)) if os.path.getsize(threads) else {"lab_threads_cpu_s": None, "cem_threads_cpu_s": None}
s = json.load(open(stats)) if os.path.exists(stats) else {"commandsByHost": {}, "labCpuMillis": 0}  # no lab: nothing contacted
rss, user, sys_ = open(timing).read().split()[-3:]
per_host = list(s["commandsByHost"].values())
summary = [l for l in open(out).read().splitlines() if l.startswith(("Plan:", "Plan (", "No changes", "Apply complete", "Apply incomplete", "Rollout"))]
print(json.dumps({"scenario": scenario, "exit": int(code), "wall_s": round(float(end) - float(start), 2),
    "hosts": len(per_host), "commands_total": sum(per_host),
    "commands_per_host_max": max(per_host) if per_host else 0, "commands_per_host_min": min(per_host) if per_host else 0,
    "peak_rss_mb": int(rss) // 1024, "cpu_s": round(float(user) + float(sys_), 2), "lab_cpu_s": round(s["labCpuMillis"] / 1000, 2),
    "lab_threads_cpu_s": t["lab_threads_cpu_s"], "cem_threads_cpu_s": t["cem_threads_cpu_s"],
    "result": summary[-1] if summary else "(see output)"}))
EOF
}

