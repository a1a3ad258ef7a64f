"""The training-throughput workloads of bench/train.ts in PyTorch (1 thread), for the
"vs PyTorch" column. Prints one JSON line {mlp, lstm, cnn} of samples/s (median step).
bench/train.ts runs it with OpenBLAS pinned to one thread (OPENBLAS_NUM_THREADS=1):
torch.set_num_threads(1) alone leaves Debian's OpenBLAS GEMM on two cores.
bench/peers/torch_peer.py imports the MLP and its Adam step from here."""
import json
import statistics
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(1)


class LstmRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def mlp():
    """The bench's MLP 20-32-16-1 (ReLU)."""
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))


def adam_step(model, x, y, loss_fn):
    """One training step (zero_grad, forward, loss, backward, Adam lr 1e-3) as a closure."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def throughput(model, x, y, loss_fn, batch, quick):
    step = adam_step(model, x, y, loss_fn)
    for _ in range(5):
        step()
    budget = 0.4 if quick else 1.5
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < 5:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return batch / statistics.median(times)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
    result = {
        "mlp": throughput(mlp(), torch.randn(64, 20), torch.randn(64, 1), nn.functional.mse_loss, 64, quick),
        "lstm": throughput(LstmRegressor(), torch.randn(64, 30, 5), torch.randn(64, 1), nn.functional.mse_loss, 64, quick),
        "cnn": throughput(cnn, torch.randn(32, 1, 28, 28), torch.arange(32) % 10, nn.functional.cross_entropy, 32, quick),
    }
    print(json.dumps(result))
