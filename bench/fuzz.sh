#!/usr/bin/env bash
# The long fuzzing run (issue 12): the YAML loader (ConfigMutationTest), the template renderer with
# its inventory and the saved-plan reader (FuzzTest), with TRIES tries per property instead of the
# few hundred of the test command. Every input must end in a result or a diagnostic: never an
# uncaught exception, a hang (30 s per input) or unbounded memory.
#
#   bench/fuzz.sh              10,000 tries per property (about 15 minutes on 2 cores)
#   TRIES=100000 bench/fuzz.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tries=${TRIES:-10000}
cd "$root"
./mvnw -q -B -ntp -o install -DskipTests >/dev/null
./mvnw -B -ntp -o -pl cli surefire:test -Dtest='FuzzTest,ConfigMutationTest' -Djqwik.tries.default="$tries" \
  -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep -E "Tests run:|FAIL|fuzz:|tries =" || true
