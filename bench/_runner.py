"""Shared bench plumbing: run a workload per framework in a fresh subprocess, print a table."""
import json
import statistics
import subprocess
import sys


def available(module):
    """True when ``module`` imports in a fresh interpreter."""
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def run_workload(script, framework, *args):
    """Runs ``script`` (Python source printing one JSON dict) for ``framework``."""
    out = subprocess.run([sys.executable, "-c", script, framework, *map(str, args)],
                         capture_output=True, text=True,
                         env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "", "OMP_NUM_THREADS": "2"})
    if out.returncode != 0:
        raise RuntimeError(f"{framework} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_rounds(script, frameworks, rounds, *args):
    """Runs ``script`` for each framework ``rounds`` times, interleaved (ndflow, tensorflow,
    torch, ndflow, ...) so that a machine's speed drifting hits all alike; returns each
    framework's per-row medians."""
    runs = {f: [] for f in frameworks}
    for _ in range(rounds):
        for framework in frameworks:
            runs[framework].append(run_workload(script, framework, *args))
    return {f: {row: median([r[row] for r in results]) for row in results[0]}
            for f, results in runs.items()}


def median(values):
    """The median of a list of numbers."""
    return statistics.median(values)


def print_table(results, higher_is_better=True):
    """Prints one row per workload and a ratio column per framework versus ndflow."""
    names = list(results)
    rows = list(results["ndflow"])
    print(f"{'workload':44s}" + "".join(f"{n:>14s}" for n in names)
          + "".join(f"{'ndflow/' + n:>18s}" for n in names[1:]))
    for row in rows:
        line = f"{row:44s}" + "".join(
            f"{results[n][row]:14.1f}" if row in results[n] else f"{'-':>14s}" for n in names)
        for n in names[1:]:
            if row in results[n]:
                ratio = (results["ndflow"][row] / results[n][row] if higher_is_better
                         else results[n][row] / results["ndflow"][row])
                line += f"{ratio:17.2f}x"
            else:
                line += f"{'-':>18s}"
        print(line)
