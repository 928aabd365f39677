"""PyTorch's CPU training steps, for the side-by-side comparison with TrainingStepBenchmarks (cpu-vs-pytorch.sh).

The same models, shapes and step as Benchmarks/Gpu/pytorch_step.py (whose model classes this imports): zero_grad,
forward, nll_loss (mean), backward, SGD(lr=0.01, momentum=0.5), float32, fixed-seed data — on the CPU, with the
thread count of --threads (default 2, this machine's cores). Prints one JSON object: the median microseconds per
step of each (model, batch), over --steps steps after --warmup untimed ones.

  python3 Benchmarks/Cpu/pytorch_cpu_step.py [--threads 2] [--steps 200] [--warmup 20]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Gpu"))
from pytorch_step import MODELS  # noqa: E402  (the GPU script's model classes, reused unchanged)

STEPS = {"FlatNet b100 step": ("flatnet", 100), "FlatNet b1000 step": ("flatnet", 1000),
         "SinNet-512 b100 step": ("sinnet", 100), "CNN b64 step": ("cnn", 64)}


def median_us(name, batch, steps, warmup):
    cls, shape, _ = MODELS[name]
    torch.manual_seed(0)
    model = cls()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.nll_loss(model(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e6 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = {label: median_us(name, batch, args.steps, args.warmup) for label, (name, batch) in STEPS.items()}
    result["torch"] = torch.__version__
    result["blas"] = next((line.strip() for line in torch.__config__.show().splitlines() if "BLAS_INFO" in line), "")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
