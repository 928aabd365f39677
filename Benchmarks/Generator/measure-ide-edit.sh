#!/usr/bin/env bash
# What the compiler itself reports for the Differentiable generator after a one-line edit, compiler server warm:
# builds Samples once, then K times appends (odd runs) or removes (even runs) a comment line at the end of
# Samples/Models/FlatNet.cs, rebuilds Samples with /p:ReportAnalyzer=true -v:d and prints the generator's time
# from the build's "Total generator execution time" section. FlatNet.cs is restored on exit, however it exits.
#
#   bash Benchmarks/Generator/measure-ide-edit.sh [K]        # K = 6 by default
#
# A comment edit changes no [Differentiable] method; it is the cheapest edit the compiler can see in that file.
# What the compiler server caches between builds (generator driver state) depends on the SDK.
set -euo pipefail
K=${1:-6}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FILE="$ROOT/Samples/Models/FlatNet.cs"
BACKUP=$(mktemp)
LOG=$(mktemp)
cp "$FILE" "$BACKUP"
restore() { cp "$BACKUP" "$FILE"; rm -f "$BACKUP" "$LOG"; }
trap restore EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
echo "warm-up build of Samples (starts the compiler server) ..."
dotnet build Samples -c Release -v:q -nologo > "$LOG" 2>&1 || { cat "$LOG"; exit 1; }

# The section of the detailed log after "Total generator execution time", up to the next blank line or task,
# and in it the line that names the generator assembly or class; its first number is the time in seconds.
generator_time() {
    awk '/Total generator execution time/ { print "  " $0; on = 1; next }
         on && /Differentiable\.Generator/ { print "  " $0; on = 0 }' "$1"
}

printf '%-4s %-8s %10s  %s\n' run edit "wall (s)" "compiler's report (seconds)"
for ((k = 1; k <= K; k++)); do
    if ((k % 2 == 1)); then echo "// measure-ide-edit.sh $k" >> "$FILE"; edit=append; else cp "$BACKUP" "$FILE"; edit=remove; fi
    start=$(date +%s.%N)
    dotnet build Samples -c Release --no-restore -nologo /p:ReportAnalyzer=true ${EXTRA_BUILD_ARGS:-} -v:d > "$LOG" 2>&1 || { tail -50 "$LOG"; exit 1; }
    end=$(date +%s.%N)
    printf '%-4s %-8s %10.2f\n' "$k" "$edit" "$(echo "$end - $start" | bc)"
    report=$(generator_time "$LOG")
    if [[ -z "$report" ]]; then echo "  (no generator timing in the log: did csc run? see -v:d output)"; else echo "$report"; fi
done
