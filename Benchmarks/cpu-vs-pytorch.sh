#!/usr/bin/env bash
# The CPU training steps of this project and of PyTorch, side by side, on this machine, in one run:
#
#   bash Benchmarks/cpu-vs-pytorch.sh            # 2–5 minutes on 2 cores; not in CI (too slow and too noisy)
#
# Installs Debian's python3-torch and libopenblas0-openmp (PyTorch's BLAS) when they are missing. Then: PyTorch's
# steps (Benchmarks/Cpu/pytorch_cpu_step.py, 2 threads), this project's (BenchmarkDotNet, TrainingStepBenchmarks),
# PyTorch's again (the machine drifts: its best run counts), the measured float32 peak (`peak`, best 250 ms window,
# before and after, the higher counted), and a table with
# both, the ratio, each step's GFLOP/s and its fraction of the peak. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import torch" 2>/dev/null || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
    apt-get update -q && apt-get install -y -q python3-torch libopenblas0-openmp
fi
results=$(mktemp -d)
# Built once, up front, and every `dotnet run` below with --no-build: a `dotnet run` that builds keeps its own process
# busy for seconds after the build (it measured a 320 GFLOP/s peak where --no-build measured 425, on Zen 5).
dotnet build -c Release Benchmarks > "$results/build.log" || { cat "$results/build.log"; exit 1; }
threads=$(nproc)
export OMP_NUM_THREADS=$threads
# The peak before and after everything, the higher counted: on a shared host another tenant's load (on the sibling
# hyperthread, say) halves what a core can do, and only ever lowers a measurement.
peak_before=$(dotnet run -c Release --no-build --project Benchmarks -- peak --threads "$threads" --seconds 3)
echo "PyTorch, run 1 ..."
/usr/bin/python3 Benchmarks/Cpu/pytorch_cpu_step.py --threads "$threads" > "$results/pytorch-1.json"
echo "this project (BenchmarkDotNet) ..."
dotnet run -c Release --no-build --project Benchmarks -- --filter '*TrainingStepBenchmarks*' --exporters json --artifacts "$results/bdn" > "$results/bdn.log"
echo "PyTorch, run 2 ..."
/usr/bin/python3 Benchmarks/Cpu/pytorch_cpu_step.py --threads "$threads" > "$results/pytorch-2.json"
peak_after=$(dotnet run -c Release --no-build --project Benchmarks -- peak --threads "$threads" --seconds 3)
peak=$(/usr/bin/python3 -c "print(max($peak_before, $peak_after))")
echo "peak measured before: $peak_before GFLOP/s, after: $peak_after GFLOP/s"
echo
echo "Processor: $(/usr/bin/python3 Benchmarks/Cpu/processor.py), $threads threads"
/usr/bin/python3 Benchmarks/Cpu/side_by_side_table.py "$peak" "$(ls "$results"/bdn/results/*TrainingStepBenchmarks-report-full*.json)" "$results"/pytorch-*.json
