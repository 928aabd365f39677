"""Prints the CPU side-by-side table of cpu-vs-pytorch.sh from its measurements.

  side_by_side_table.py PEAK_GFLOPS BDN_REPORT.json PYTORCH_RUN.json [PYTORCH_RUN.json ...]

PyTorch's best (lowest) median over its runs is counted, because this machine's timings drift; the project's number
is BenchmarkDotNet's median. FLOPs per step count the matrix products and convolutions only (forward, the weight
gradients and the input gradients a step needs), 2 per multiply-add; elementwise work is left out.
"""
import json
import sys


def linear(batch, shapes):
    """Forward, weight gradient and (except for the first layer, whose input needs none) input gradient."""
    flops = 0
    for i, (n_in, n_out) in enumerate(shapes):
        flops += 2 * batch * n_in * n_out * (2 if i == 0 else 3)
    return flops


def cnn(batch):
    conv1 = 2 * batch * 10 * 24 * 24 * 25 * 1    # 1 -> 10 channels, 5x5, 28x28 -> 24x24
    conv2 = 2 * batch * 20 * 8 * 8 * 25 * 10     # 10 -> 20 channels, 5x5, 12x12 -> 8x8
    return 2 * conv1 + 3 * conv2 + linear(batch, [(320, 10)]) + 2 * batch * 320 * 10


FLOPS = {
    "FlatNet b100 step": linear(100, [(784, 128), (128, 128), (128, 10)]),
    "FlatNet b1000 step": linear(1000, [(784, 128), (128, 128), (128, 10)]),
    "SinNet-512 b100 step": linear(100, [(784, 512), (512, 512), (512, 10)]),
    "CNN b64 step": cnn(64),
}


def main():
    peak = float(sys.argv[1])
    report = json.load(open(sys.argv[2]))
    # BenchmarkDotNet names a benchmark by its Description in MethodTitle ('FlatNet b100 step'); medians are in ns.
    ours = {b.get("MethodTitle", b["Method"]).strip("'"): b["Statistics"]["Median"] / 1000 for b in report["Benchmarks"]}
    runs = [json.load(open(path)) for path in sys.argv[3:]]
    print(f"Measured float32 peak: {peak:.0f} GFLOP/s (Benchmarks `peak`: FMA loops on every core, best 250 ms window, the higher of before and after)")
    print(f"PyTorch {runs[0].get('torch', '?')}, best of {len(runs)} runs")
    print()
    print("| step | this project (µs) | PyTorch best (µs) | PyTorch runs (µs) | ratio | GFLOP/s | of peak |")
    print("|---|---|---|---|---|---|---|")
    for step, flops in FLOPS.items():
        mine = next((v for k, v in ours.items() if step in k), None)
        theirs = [r[step] for r in runs if step in r]
        if mine is None or not theirs:
            print(f"| {step} | {mine} | missing | | | | |")
            continue
        best = min(theirs)
        gflops = flops / (mine * 1e-6) / 1e9
        ratio = best / mine
        verdict = f"{ratio:.2f}× faster" if ratio >= 1 else f"{1 / ratio:.2f}× slower"
        print(f"| {step} | {mine:,.0f} | {best:,.0f} | {', '.join(f'{t:,.0f}' for t in theirs)} | {verdict} | {gflops:.1f} | {gflops / peak:.0%} |")


if __name__ == "__main__":
    main()
