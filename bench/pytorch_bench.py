"""Training comparisons in Python for edgefit's bench harness (bench/main.go).

The Go harness writes a task's data as little-endian float32 files and runs

    python3 pytorch_bench.py --task NAME --x X.f32 --y Y.f32 --n N --d D --o O \
        --batch B --epochs E --lr LR --budget SECONDS

once per task. Every run trains a fresh nn.Linear-shaped model by minibatch SGD
on the mean squared error, shuffling the rows every epoch, exactly as the
tutorial's fit() does, in three ways:

  torch-fit     the tutorial's fit(): TensorDataset, DataLoader(shuffle=True),
                nn.Linear, F.mse_loss, torch.optim.SGD
  torch-sliced  the same model, loss and optimizer, batches sliced by hand from
                a torch.randperm of the rows (no DataLoader)
  numpy         the same SGD written with NumPy arrays in float32 (matrix
                products through NumPy's BLAS)

all on one thread (torch.set_num_threads(1); the harness sets
OPENBLAS_NUM_THREADS=1 and friends in this process's environment).

It prints machine-readable lines, one per fact, that the harness parses:

    INFO key=value ...
    RESULT task=NAME lib=LIB seconds=S reps=K spread=F mse=M
    MISSING lib=LIB reason=...

seconds is the median over the repetitions of the CPU time (time.process_time)
of one whole training run; mse is
the trained model's mean squared error over every row, computed in float64.
"""
import argparse
import statistics
import sys
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--task", required=True)
    p.add_argument("--x", required=True)
    p.add_argument("--y", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--d", type=int, required=True)
    p.add_argument("--o", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds per library; at least 3 and at most 7 repetitions")
    return p.parse_args()


def timed(run, budget):
    """Median CPU seconds of run() over 3 to 7 repetitions within about budget.

    CPU time of the process, as the Go harness measures: on a shared machine
    the time spent waiting for a core does not count against the library.
    """
    ts, out = [], None
    while len(ts) < 3 or (len(ts) < 7 and sum(ts) < budget):
        t = time.process_time()
        out = run()
        ts.append(time.process_time() - t)
    med = statistics.median(ts)
    return med, (max(ts) - min(ts)) / med, len(ts), out


def clean(s):
    return str(s).replace(" ", "_").replace("\n", "_")


def blas_libraries():
    """The BLAS shared objects this process has loaded, from its memory map."""
    try:
        with open("/proc/self/maps") as f:
            libs = {l.split()[-1] for l in f if "blas" in l.lower()}
        return ",".join(sorted(l.rsplit("/", 1)[-1] for l in libs)) or "none"
    except OSError:
        return "unknown"


def main():
    a = parse()
    try:
        import numpy as np
    except ImportError as e:
        print(f"MISSING lib=numpy reason={clean(e)}")
        print(f"MISSING lib=torch reason=needs_numpy")
        return
    print(f"INFO python={sys.version.split()[0]} numpy={np.__version__}")
    X = np.fromfile(a.x, dtype="<f4").reshape(a.n, a.d)
    Y = np.fromfile(a.y, dtype="<f4").reshape(a.n, a.o)
    X64, Y64 = X.astype(np.float64), Y.astype(np.float64)

    def mse(W, b):
        e = X64 @ np.asarray(W, dtype=np.float64).T + np.asarray(b, dtype=np.float64) - Y64
        return float(np.mean(e * e))

    def report(lib, run):
        t, spread, reps, (W, b) = timed(run, a.budget)
        print(f"RESULT task={a.task} lib={lib} seconds={t:.9f} reps={reps} spread={spread:.4f} mse={mse(W, b):.9g}", flush=True)

    # NumPy: the SGD a NumPy user writes, in float32.
    def numpy_sgd():
        rng = np.random.default_rng(0)
        bound = 1 / np.sqrt(a.d)
        W = rng.uniform(-bound, bound, (a.o, a.d)).astype(np.float32)
        b = rng.uniform(-bound, bound, a.o).astype(np.float32)
        lr = np.float32(a.lr)
        for _ in range(a.epochs):
            perm = rng.permutation(a.n)
            for i in range(0, a.n, a.batch):
                idx = perm[i:i + a.batch]
                xb, yb = X[idx], Y[idx]
                r = xb @ W.T + b - yb
                loss = np.mean(r * r)
                g = r * np.float32(2 / r.size)
                W -= lr * (g.T @ xb)
                b -= lr * g.sum(axis=0)
        return W, b

    report("numpy", numpy_sgd)
    print(f"INFO numpy_blas={blas_libraries()}")

    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
    except ImportError as e:
        print(f"MISSING lib=torch reason={clean(e)}")
        return
    torch.set_num_threads(1)
    print(f"INFO torch={torch.__version__} torch_threads={torch.get_num_threads()}")
    x, y = torch.from_numpy(X), torch.from_numpy(Y)

    def params(m):
        return m.weight.detach().numpy(), m.bias.detach().numpy()

    # The tutorial's fit(), verbatim but for the loss it returns.
    def fit(num_epochs, model, loss_fn, opt, dl):
        for epoch in range(num_epochs):
            for xb, yb in dl:
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
        return loss.item()

    def torch_fit():
        torch.manual_seed(0)
        model = nn.Linear(a.d, a.o)
        opt = torch.optim.SGD(model.parameters(), lr=a.lr)
        dl = DataLoader(TensorDataset(x, y), a.batch, shuffle=True)
        fit(a.epochs, model, F.mse_loss, opt, dl)
        return params(model)

    def torch_sliced():
        torch.manual_seed(0)
        model = nn.Linear(a.d, a.o)
        opt = torch.optim.SGD(model.parameters(), lr=a.lr)
        for _ in range(a.epochs):
            perm = torch.randperm(a.n)
            for i in range(0, a.n, a.batch):
                idx = perm[i:i + a.batch]
                loss = F.mse_loss(model(x[idx]), y[idx])
                loss.backward()
                opt.step()
                opt.zero_grad()
        return params(model)

    report("torch-fit", torch_fit)
    report("torch-sliced", torch_sliced)
    print(f"INFO torch_blas={blas_libraries()}")


if __name__ == "__main__":
    main()
