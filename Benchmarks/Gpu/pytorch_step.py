"""PyTorch reference timings for the training steps that our `bench` command measures.

One training step = optimizer.zero_grad(), forward, nll_loss (mean), backward, optimizer.step(),
with torch.optim.SGD(lr=0.01, momentum=0.5), float32, on fixed-seed random data that is already
on the GPU (inputs ~ N(0, 1), labels random ints in [0, 10)).

  flatnet  Linear 784-128, ReLU, Linear 128-128, ReLU, Linear 128-10, log_softmax   batches 100, 1000
  sinnet   Linear 784-512, sin(h * f1), Linear 512-512, sin(h * f2), Linear 512-10,
           log_softmax; f1, f2 trainable (1, 512), initialised to ones              batch 100
  cnn      Conv2d(1,10,5), ReLU, max_pool 2, Conv2d(10,20,5), ReLU, max_pool 2,
           flatten, Linear 320-10, log_softmax; input (64, 1, 28, 28)               batch 64

Each (model, batch) is measured in two modes, each on a fresh model and optimizer:
  eager  the step as ordinary PyTorch code;
  graph  the whole step captured once in a torch.cuda.CUDAGraph and replayed, following the
         "whole-network capture" pattern of https://pytorch.org/docs/stable/notes/cuda.html:
         a few warm-up steps on a side stream (they also create SGD's momentum buffers, which
         is why SGD needs no `capturable` flag: it keeps no step counter), then grads set to
         None and forward + loss + backward + step captured; each replay's backward refills
         the static .grad tensors in place, so no zero_grad is needed inside the graph.
Timing: CUDA events around every single step or replay; --warmup steps are not timed, then
--steps steps are; the median in microseconds is reported. Steps are issued back to back
(no host sync between them, as in a training loop) unless --sync is given. Float32 is strict
(no TF32 in matmuls or cuDNN convolutions) unless --tf32 is given.

Run (needs a CUDA GPU):
  python3 Benchmarks/Gpu/pytorch_step.py
  python3 Benchmarks/Gpu/pytorch_step.py --models flatnet,cnn --steps 1000 --json out/pytorch.json
"""
import argparse
import json
import statistics
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class FlatNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 128), nn.Linear(128, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


class SinNet(nn.Module):
    def __init__(self, hidden=512):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, 10)
        self.f1 = nn.Parameter(torch.ones(1, hidden))
        self.f2 = nn.Parameter(torch.ones(1, hidden))

    def forward(self, x):
        x = torch.sin(self.fc1(x) * self.f1)
        x = torch.sin(self.fc2(x) * self.f2)
        return F.log_softmax(self.fc3(x), dim=1)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.log_softmax(self.fc(torch.flatten(x, 1)), dim=1)


# name -> (module class, input shape without the batch dimension, batch sizes)
MODELS = {
    "flatnet": (FlatNet, (784,), (100, 1000)),
    "sinnet": (SinNet, (784,), (100,)),
    "cnn": (Cnn, (1, 28, 28), (64,)),
}


def setup(name, batch):
    """A fresh fixed-seed model, its optimizer, and one batch of data on the GPU."""
    cls, shape, _ = MODELS[name]
    torch.manual_seed(0)
    model = cls().cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    x = torch.randn(batch, *shape, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")
    return model, opt, x, y


def train_step(model, opt, x, y):
    opt.zero_grad()
    loss = F.nll_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


def median_us(fn, steps, warmup, sync):
    """Median microseconds of fn() between CUDA events recorded around each call."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(steps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(steps)]
    for start, end in zip(starts, ends):
        start.record()
        fn()
        end.record()
        if sync:
            end.synchronize()
    torch.cuda.synchronize()
    return 1000.0 * statistics.median(s.elapsed_time(e) for s, e in zip(starts, ends))


def eager_us(name, batch, args):
    model, opt, x, y = setup(name, batch)
    return median_us(lambda: train_step(model, opt, x, y), args.steps, args.warmup, args.sync)


def graph_us(name, batch, args):
    model, opt, static_x, static_y = setup(name, batch)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            train_step(model, opt, static_x, static_y)
    torch.cuda.current_stream().wait_stream(side)

    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)  # backward() inside the capture allocates .grad from the graph's pool
    with torch.cuda.graph(graph):
        static_loss = F.nll_loss(model(static_x), static_y)
        static_loss.backward()
        opt.step()
    us = median_us(graph.replay, args.steps, args.warmup, args.sync)
    if not torch.isfinite(static_loss).item():
        sys.exit(f"{name} b{batch}: graph replay produced a non-finite loss")
    return us


def set_strict_fp32(strict):
    precision = "ieee" if strict else "tf32"
    try:  # PyTorch >= 2.9
        torch.backends.cuda.matmul.fp32_precision = precision
        torch.backends.cudnn.conv.fp32_precision = precision
    except AttributeError:
        torch.backends.cuda.matmul.allow_tf32 = not strict
        torch.backends.cudnn.allow_tf32 = not strict


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of: " + ", ".join(MODELS))
    parser.add_argument("--steps", type=int, default=500, help="timed steps per mode (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed steps before them (default 50)")
    parser.add_argument("--sync", action="store_true", help="synchronize after every step (latency, not pipelined)")
    parser.add_argument("--tf32", action="store_true", help="allow TF32 in matmuls and convolutions")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args()
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.steps < 1 or args.warmup < 0:
        parser.error("--steps must be >= 1 and --warmup >= 0")
    if not torch.cuda.is_available():
        sys.exit(f"CUDA is not available to PyTorch {torch.__version__} (CUDA build: {torch.version.cuda}); "
                 "this benchmark needs an NVIDIA GPU.")

    set_strict_fp32(not args.tf32)
    device = torch.cuda.get_device_name()
    print(f"device  {device}")
    print(f"torch   {torch.__version__}  CUDA {torch.version.cuda}  cuDNN {torch.backends.cudnn.version()}  "
          f"{'tf32' if args.tf32 else 'strict fp32'}  {args.warmup} warm-up + {args.steps} timed steps"
          f"{'  sync every step' if args.sync else ''}")

    results = []
    for name in names:
        for batch in MODELS[name][2]:
            eager, graph = eager_us(name, batch, args), graph_us(name, batch, args)
            print(f"pytorch  {name:<7}  {'b' + str(batch):<5}  eager {eager:6.1f} us/step   graph {graph:6.1f} us/step",
                  flush=True)
            results.append({"model": name, "batch": batch, "eager_us": round(eager, 1), "graph_us": round(graph, 1)})

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tool": "pytorch", "torch": torch.__version__, "cuda": torch.version.cuda, "device": device,
                       "tf32": args.tf32, "sync": args.sync, "warmup": args.warmup, "steps": args.steps,
                       "statistic": "median us/step", "results": results}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
