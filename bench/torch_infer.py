"""PyTorch baseline for `npm run bench:infer`: U-Net (resnet34 encoder, smp decoder, 1->3) forward, eval mode.

Run: /usr/bin/python3 bench/torch_infer.py --batch 1 --size 512 --reps 5
Prints one JSON line: seconds per batch (median of the timed passes, wall and CPU), images/s, peak RSS in MiB, threads.
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--encoder", default="resnet34")
    a = p.parse_args()
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SegModel("unet", a.encoder, 1, 3, [256, 128, 64, 32, 16]).eval()
    x = torch.rand(a.batch, 1, a.size, a.size)
    times = []
    cpu = []
    with torch.no_grad():
        for i in range(a.reps + 1):
            t0 = time.perf_counter()
            c0 = time.process_time()
            model(x)
            if i > 0:
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
    s = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "pytorch " + torch.__version__, "secondsPerBatch": s, "cpuSecondsPerBatch": statistics.median(cpu), "imagesPerSecond": a.batch / s,
                      "peakRssMiB": rss, "threads": threads}))


if __name__ == "__main__":
    main()
