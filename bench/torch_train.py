"""PyTorch baseline for `npm run bench:train`: the same U-Net (resnet34 encoder, smp decoder, 1->3), L1 loss, Adam.

Run: /usr/bin/python3 bench/torch_train.py --batch 4 --size 256 --steps 3 [--device cuda]
Prints one JSON line: seconds per step (median of the timed steps, wall and CPU), images/s, peak RSS in MiB, threads;
on CUDA also the GPU's name, PyTorch's peak GPU memory (MiB) and whether cuDNN may use TF32 (PyTorch's default: yes).
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
from torch_device import device_fields, pick_device, synchronize  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--encoder", default="resnet34")
    p.add_argument("--device", default="cpu", help="cpu, or cuda (each step timed to torch.cuda.synchronize)")
    a = p.parse_args()
    device = pick_device(a.device)
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SegModel("unet", a.encoder, 1, 3, [256, 128, 64, 32, 16]).train().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(a.batch, 1, a.size, a.size).to(device)
    y = torch.rand(a.batch, 3, a.size, a.size).to(device)
    times = []
    cpu = []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad()
        loss = torch.nn.functional.l1_loss(model(x), y)
        loss.backward()
        opt.step()
        synchronize(device)
        if i > 0:  # the first step warms up the allocator (and on CUDA, cuDNN's choices)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    s = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "pytorch " + torch.__version__, "secondsPerStep": s, "cpuSecondsPerStep": statistics.median(cpu), "imagesPerSecond": a.batch / s,
                      "peakRssMiB": rss, "threads": threads, **device_fields(device)}))


if __name__ == "__main__":
    main()
