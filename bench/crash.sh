#!/usr/bin/env bash
# The long crash run (issue 12): CrashHarnessTest with KILLS kills (SIGKILL, SIGTERM and SIGINT in
# turn) of a real `cem apply` of a 3-site lab fleet; after each, the states must parse, locks be
# released or reported with how to break them, and a re-run converge.
#
#   bench/crash.sh             100 kills (about 18 minutes on 2 cores)
#   KILLS=30 bench/crash.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./mvnw -q -B -ntp -o install -DskipTests >/dev/null
CEM_CRASH_KILLS=${KILLS:-100} ./mvnw -B -ntp -o -pl cli surefire:test -Dtest=CrashHarnessTest -Dsurefire.failIfNoSpecifiedTests=false 2>&1 \
  | grep -E "Tests run:|FAIL|crash harness" || true
grep -h "crash harness" cli/target/surefire-reports/cem.cli.CrashHarnessTest-output.txt
