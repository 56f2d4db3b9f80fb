"""The Python side of edgefit's bench harness (bench/main.go).

Training. The Go harness writes a task's data as little-endian float32 files
and runs

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

Kernels. The harness writes every case's operands and a manifest to a
directory and runs

    python3 pytorch_bench.py --kernels DIR --budget SECONDS --reps N

which times, with NumPy, what a NumPy user writes for each: Y = X @ W.T + b
(matmul) and r = p - t; r @ r (squared error).

It prints machine-readable lines, one per fact, that the harness parses:

    INFO key=value ...
    RESULT task=NAME lib=LIB seconds=S reps=K spread=F mse=M
    KERNEL id=I times=T1,T2,... calls=C check=X
    MISSING lib=LIB reason=...

seconds is the median over the repetitions of the CPU time (time.process_time)
of one whole training run; mse is the trained model's mean squared error over
every row, computed in float64. times are the CPU seconds per call of every
repetition; check is a float64 sum over the answer that the harness compares
with its own reference (the rows of Y it samples, or ΣR² and ΣR).
"""
import argparse
import statistics
import sys
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", help="directory of kernel cases (kernels mode)")
    p.add_argument("--reps", type=int, default=5, help="kernels: repetitions per case")
    p.add_argument("--task")
    p.add_argument("--x")
    p.add_argument("--y")
    p.add_argument("--n", type=int)
    p.add_argument("--d", type=int)
    p.add_argument("--o", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds per library (training: at least 3 and at most 7 "
                        "repetitions) or per kernel case")
    a = p.parse_args()
    if a.kernels is None:
        missing = [k for k in ("task", "x", "y", "n", "d", "o", "batch", "epochs", "lr")
                   if getattr(a, k) is None]
        if missing:
            p.error("training needs --" + ", --".join(missing))
    return a


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


def kernels(a, np):
    """Times NumPy on every case of the manifest in a.kernels."""
    d = a.kernels

    def load(name, shape):
        return np.fromfile(f"{d}/{name}", dtype="<f4").reshape(shape)

    with open(f"{d}/manifest.txt") as f:
        cases = [l.split() for l in f if l.strip()]
    for c in cases:
        kind, i = c[0], c[1]
        if kind == "matmul":
            m, k, n, step = map(int, c[2:6])
            X, W, b = load(f"{i}.0", (m, k)), load(f"{i}.1", (n, k)), load(f"{i}.2", (n,))

            def run():
                return X @ W.T + b

            def check(Y):
                return float(Y[::step].sum(dtype=np.float64))
        elif kind == "sqerr":
            n = int(c[2])
            P, T = load(f"{i}.0", (n,)), load(f"{i}.1", (n,))

            def run():
                r = P - T
                return r, r @ r

            def check(out):
                r, s = out
                return f"{float(s)!r},{float(r.sum(dtype=np.float64))!r}"
        else:
            raise SystemExit(f"manifest: unknown kernel {kind!r}")
        out = run()
        # Calls per repetition: enough for budget/reps of CPU time.
        calls, target = 1, a.budget / a.reps
        while True:
            t = time.process_time()
            for _ in range(calls):
                run()
            el = time.process_time() - t
            if el >= 0.002:
                break
            calls *= 2
        calls = max(1, int(calls * target / el)) if el < target else 1
        reps = a.reps if calls > 1 or el * a.reps <= a.budget else max(3, int(a.budget / el))
        times = []
        for _ in range(reps):
            t = time.process_time()
            for _ in range(calls):
                run()
            times.append((time.process_time() - t) / calls)
        print(f"KERNEL id={i} times={','.join(repr(x) for x in times)} calls={calls} check={check(out)}", flush=True)


def main():
    a = parse()
    try:
        import numpy as np
    except ImportError as e:
        print(f"MISSING lib=numpy reason={clean(e)}")
        print(f"MISSING lib=torch reason=needs_numpy")
        return
    print(f"INFO python={sys.version.split()[0]} numpy={np.__version__}")
    if a.kernels is not None:
        np.ones((2, 2), dtype=np.float32) @ np.ones((2, 2), dtype=np.float32)  # loads the BLAS
        print(f"INFO numpy_blas={blas_libraries()}")
        kernels(a, np)
        return
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

    # The tutorial's fit(), without the line it prints every 10 epochs.
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
