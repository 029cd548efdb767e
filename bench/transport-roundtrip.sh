#!/usr/bin/env bash
# Round-trip time per command of each transport against a lab host (issue 4): WinRM over HTTPS and
# HTTP, and SSH, through the shaded jar. Results: bench/results/transport-roundtrip.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${COMMANDS:-50}
{
  echo "cem transport round trips against the lab, $n commands each, $(nproc) cores, $(date -u +%F)"
  "$root/cem" lab check --commands "$n" --latency "${LATENCY:-0}"
} | tee "$root/bench/results/transport-roundtrip.txt"
