"""The device for bench/torch_train.py and bench/torch_infer.py: CPU, or CUDA for the GPU part of issue 12."""

import sys

import torch


def pick_device(name):
    """torch.device for --device; exits with a message naming the argument when CUDA is asked for but absent."""
    if name not in ("cpu", "cuda"):
        sys.exit(f"--device must be cpu or cuda, got '{name}'")
    if name == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: this PyTorch sees no CUDA device (torch.cuda.is_available() is False)")
    return torch.device(name)


def synchronize(device):
    """Waits for the GPU's queued work, so that a step's wall time includes it (nothing on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_fields(device):
    """Extra JSON fields on CUDA: the GPU's name, peak memory PyTorch allocated (MiB), and the TF32 setting."""
    if device.type != "cuda":
        return {}
    return {
        "device": torch.cuda.get_device_name(device),
        "peakGpuMiB": torch.cuda.max_memory_allocated(device) / 2**20,
        "cudnnTf32": torch.backends.cudnn.allow_tf32,
    }
