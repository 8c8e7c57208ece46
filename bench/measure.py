#!/usr/bin/env python3
"""Runs a command several times and prints its median wall time and peak RSS.

Usage: measure.py RUNS LABEL -- COMMAND [ARGS...]
Standard output and error of the command are discarded. Peak RSS is read by GNU time
(/usr/bin/time, Debian package "time"), whose small process forks the command;
measuring from Python itself would count the forked Python's memory. For a
shell pipeline it is the largest process of the pipeline.
"""
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    runs = int(sys.argv[1])
    label = sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    times = []
    peak_kib = 0
    with tempfile.NamedTemporaryFile() as report:
        for _ in range(runs):
            start = time.perf_counter()
            status = subprocess.call(
                ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            if status != 0:
                print(f"{label}: command failed with status {status}", file=sys.stderr)
                sys.exit(1)
            with open(report.name) as lines:
                peak_kib = max(peak_kib, int(lines.read().split()[-1]))
    median = statistics.median(times)
    print(f"{label}\tmedian {median * 1000:.1f} ms\tpeak RSS {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
