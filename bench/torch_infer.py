"""PyTorch baseline for `npm run bench:infer`: U-Net (resnet34 encoder, smp decoder, 1->3) forward, eval mode.

Run: /usr/bin/python3 bench/torch_infer.py --batch 1 --size 512 --reps 5 [--device cuda]
Prints one JSON line: seconds per batch (median of the timed passes, wall and CPU), images/s, peak RSS in MiB, threads;
on CUDA also the GPU's name, PyTorch's peak GPU memory (MiB) and whether cuDNN may use TF32. On CUDA each pass copies
its output to the host, as the tfjs pass reads its output back.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "torch"))
from models import SegModel  # noqa: E402
from torch_device import device_fields, pick_device  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--encoder", default="resnet34")
    p.add_argument("--device", default="cpu", help="cpu, or cuda (each pass copies its output to the host)")
    a = p.parse_args()
    device = pick_device(a.device)
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SegModel("unet", a.encoder, 1, 3, [256, 128, 64, 32, 16]).eval().to(device)
    x = torch.rand(a.batch, 1, a.size, a.size).to(device)
    times = []
    cpu = []
    with torch.no_grad():
        for i in range(a.reps + 1):
            t0 = time.perf_counter()
            c0 = time.process_time()
            out = model(x)
            if device.type != "cpu":
                out.cpu()
            if i > 0:
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
    s = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "pytorch " + torch.__version__, "secondsPerBatch": s, "cpuSecondsPerBatch": statistics.median(cpu), "imagesPerSecond": a.batch / s,
                      "peakRssMiB": rss, "threads": threads, **device_fields(device)}))


if __name__ == "__main__":
    main()
