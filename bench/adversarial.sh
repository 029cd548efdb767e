#!/usr/bin/env bash
# The long forms of issue 12's adversarial tests (their bounded forms run in ./run-tests):
#
#   bench/adversarial.sh crash [KILLS]   CrashHarnessTest: a real apply of a 3-site lab fleet killed
#                                        KILLS times (default 100) with SIGKILL/SIGTERM/SIGINT in turn
#   bench/adversarial.sh soak [SITES]    FaultSoakTest: applies of SITES lab sites (default 50) under 5%
#                                        injected faults per command, until one succeeds
#   bench/adversarial.sh fuzz [TRIES]    FuzzTest + ConfigMutationTest with TRIES tries per property
#                                        (default 10,000): YAML loader, templates, saved plans
#
# Each prints its figures (kills survived, faults injected and survived, inputs tried).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:?crash, soak or fuzz}
n=${2:-}
./mvnw -q -B -ntp -o install -DskipTests >/dev/null
case "$mode" in
  crash) export CEM_CRASH_KILLS=${n:-100}; tests=CrashHarnessTest; extra=() ;;
  soak) export CEM_SOAK_SITES=${n:-50}; tests=FaultSoakTest; extra=() ;;
  fuzz) tests='FuzzTest,ConfigMutationTest'; extra=(-Djqwik.tries.default="${n:-10000}") ;;
  *) echo "usage: bench/adversarial.sh crash|soak|fuzz [N]" >&2; exit 2 ;;
esac
./mvnw -B -ntp -o -pl cli surefire:test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false "${extra[@]}" 2>&1 \
  | grep -E "Tests run:|FAIL" || true
grep -h -E "crash harness|fault soak|fuzz:" cli/target/surefire-reports/*-output.txt 2>/dev/null || true
