#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run go-plugin conformance scenarios with the plugin under valgrind, then check
# every valgrind log (one per plugin process the harness started).
#   run.sh HARNESS WRAPPER LOGDIR SCENARIO...
set -u
harness=$1 wrapper=$2 logs=$3
shift 3
rm -rf "$logs"
mkdir -p "$logs"
fail=0
for scenario in "$@"; do
  echo "== $scenario (plugin under valgrind)"
  start=$(date +%s)
  if ! "$harness" "$scenario" -plugin "$wrapper" -exit-limit 2s -timeout 400s; then
    echo "FAIL: conformance scenario $scenario under valgrind"
    fail=1
  fi
  echo "   ($(( $(date +%s) - start )) s)"
done

n=0
for log in "$logs"/valgrind.*.log; do
  [ -e "$log" ] || continue
  n=$((n + 1))
  # Processes that exit normally end their log with the error summary; a
  # process killed before its leak check has none.
  if ! grep -q 'ERROR SUMMARY:' "$log"; then
    echo "FAIL: $log has no ERROR SUMMARY (the process was killed before valgrind finished)"
    fail=1
  elif ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
    echo "FAIL: valgrind found errors:"
    cat "$log"
    fail=1
  fi
  if grep -q 'definitely lost: [1-9]' "$log"; then
    echo "FAIL: definite leaks:"
    cat "$log"
    fail=1
  fi
done
if [ "$n" = 0 ]; then
  echo "FAIL: no valgrind log in $logs: the wrapper was not run"
  fail=1
fi
for log in "$logs"/valgrind.*.log; do
  [ -e "$log" ] || continue
  printf '%s: %s; %s\n' "$(basename "$log")" "$(grep -o 'ERROR SUMMARY: [0-9]* errors' "$log" | tail -1)" \
    "$(grep -o 'definitely lost: [0-9,]* bytes' "$log" | tail -1)"
done
[ $fail = 0 ] && echo "PASS: $n plugin processes under valgrind: 0 errors, 0 bytes definitely lost"
exit $fail
