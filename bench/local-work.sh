#!/usr/bin/env bash
# JMH micro-benchmarks of cem's local work for 500 sites (issue 11): load + schema + rules,
# a 6,000-resource diff, a 6,000-change JSON plan; and `cem --version` wall time.
# Results: bench/results/local-work.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./mvnw -q -B -ntp -DskipTests install -pl bench/jmh -am >/dev/null
deps=$(mktemp)
trap 'rm -f "$deps"' EXIT
./mvnw -q -B -ntp -pl bench/jmh dependency:build-classpath -Dmdep.outputFile="$deps" >/dev/null
cp="$(ls bench/jmh/target/cem-bench-*.jar | head -n 1):$(cat "$deps")"
./cem version >/dev/null
{
  echo "cem local work, $(nproc) cores, $(date -u +%F)"
  java -Dcem.examples=examples -cp "$cp" org.openjdk.jmh.Main cem.bench 2>&1 | sed -n '/^Benchmark/,$p'
  start=$(date +%s.%N); ./cem --version >/dev/null; end=$(date +%s.%N)
  printf 'cem --version wall: %.2f s\n' "$(echo "$end - $start" | bc)"
} | tee bench/results/local-work.txt
