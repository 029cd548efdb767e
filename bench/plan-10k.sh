#!/usr/bin/env bash
# Wall time and peak memory of `cem plan` over 10,000 fake resources on 1,000 hosts (issue 3),
# with the fake provider (no latency): what the engine itself costs. Results: bench/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hosts=${HOSTS:-1000}
per_host=${PER_HOST:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root" && ./mvnw -q -B -DskipTests install -pl cli -am >/dev/null)
cp="$root/cli/target/cem.jar:$(ls "$root"/testkit/target/cem-testkit-*.jar | head -n 1)"

mkdir -p "$work/site" "$work/world"
{
  echo "version: 1"
  echo "hosts:"
  for ((h = 0; h < hosts; h++)); do echo "  h$h: {address: 10.0.$((h / 250)).$((h % 250 + 1)), os: windows}"; done
  echo "resources:"
  for ((h = 0; h < hosts; h++)); do
    for ((i = 0; i < per_host; i++)); do
      dep=""
      [ "$i" -gt 0 ] && dep=", dependsOn: [windows_firewall_rule.r$h-$((i - 1))]"
      echo "  - {type: windows_firewall_rule, name: r$h-$i, host: h$h, direction: inbound, action: allow, localPorts: [$((1000 + i))]$dep}"
    done
  done
} > "$work/site/estate.yaml"

run() { # label, args...
  local label=$1; shift
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" env CEM_FAKE_WORLD="$work/world" java -cp "$cp" cem.cli.Main "$@" >"$work/out" 2>&1 || true
  end=$(date +%s.%N)
  rss=$(tail -n 1 "$work/rss")
  [ -n "${DEBUG:-}" ] && head -20 "$work/out" >&2
  printf '%s\t%.2f s\t%d MB\t%s\n' "$label" "$(echo "$end - $start" | bc)" "$((rss / 1024))" "$(grep -E '^(Plan|No changes|Apply)' "$work/out" | head -n 1)"
}

echo "cem engine benchmark: $hosts hosts x $per_host resources, fake provider, $(nproc) cores, $(date -u +%F)"
run "plan (fresh)" plan "$work/site"
run "apply (fresh)" apply --auto-approve "$work/site"
run "plan (converged)" plan "$work/site"
