"""PyTorch on one thread (or two: FINGRAD_TORCH_THREADS) as a child peer of bench/peers.ts
(protocol: bench/peers/child.ts).

Started with OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 in its environment:
torch.set_num_threads(1) alone leaves Debian's OpenBLAS GEMM on two cores.
Answers {"op": "matmul", "size": n} and {"op": "mlp", "batch": b} (the bench's MLP 20-32-16-1,
Adam, MSE, one training step) with the median ms over at least timeMs of runs."""
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_train import adam_step, mlp as mlp_model  # noqa: E402  (the bench's one MLP workload)

# FINGRAD_TORCH_THREADS=2 (with OpenBLAS given 2 threads too) makes the 2-thread peer whose
# scaling the threads table compares with fingrad's, in the same rounds.
torch.set_num_threads(int(os.environ.get("FINGRAD_TORCH_THREADS", "1")))

# After a call, OpenBLAS's idle threads spin before they sleep (its THREAD_TIMEOUT): the child on
# 2 threads used a whole core for the next ~100 ms (measured with /proc/PID/stat on 2026-12-03),
# which would land on the parent's next cell. Answering only once that spin is over keeps the
# child idle between requests, as bench/peers/child.ts promises.
QUIET_AFTER_S = 0.15 if torch.get_num_threads() > 1 else 0.0


def median_ms(fn, time_ms):
    for _ in range(3):
        fn()
    times = []
    start = time.perf_counter()
    while (time.perf_counter() - start) * 1000 < time_ms or len(times) < 5:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


cache = {}


def matmul(n):
    if ("mm", n) not in cache:
        a, b = torch.randn(n, n), torch.randn(n, n)
        cache[("mm", n)] = lambda: torch.mm(a, b)
    return cache[("mm", n)]


def mlp(batch):
    if ("mlp", batch) not in cache:
        cache[("mlp", batch)] = adam_step(mlp_model(), torch.randn(batch, 20), torch.randn(batch, 1), nn.functional.mse_loss)
    return cache[("mlp", batch)]


for line in sys.stdin:
    req = json.loads(line)
    try:
        if req["op"] == "ping":
            answer = {"ok": 1, "threads": torch.get_num_threads(), "torch": torch.__version__}
        elif req["op"] == "matmul":
            answer = {"ms": median_ms(matmul(req["size"]), req.get("timeMs", 1000))}
        elif req["op"] == "mlp":
            answer = {"ms": median_ms(mlp(req["batch"]), req.get("timeMs", 1000))}
        else:
            answer = {"error": "unknown op " + req["op"]}
    except Exception as e:  # reported to the parent, which prints it
        answer = {"error": repr(e)}
    time.sleep(QUIET_AFTER_S)
    print(json.dumps(answer), flush=True)
