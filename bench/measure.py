#!/usr/bin/env python3
"""Runs commands several times and prints each one's median wall time and peak RSS.

Usage: measure.py RUNS LABEL -- COMMAND [ARGS...] [--and LABEL -- COMMAND [ARGS...]]...
With several commands, the runs take turns (A B A B ...), so that a busy
moment of the machine falls on all of them alike rather than on one.
Standard output and error of the commands are discarded. Peak RSS is read by GNU time
(/usr/bin/time, Debian package "time"), whose small process forks the command;
measuring from Python itself would count the forked Python's memory. For a
shell pipeline it is the largest process of the pipeline.
"""
import statistics
import subprocess
import sys
import tempfile
import time


def parse(arguments):
    """[(label, command)] from LABEL -- COMMAND groups separated by --and."""
    groups, current = [], []
    for argument in arguments + ["--and"]:
        if argument == "--and":
            separator = current.index("--")
            groups.append((current[0], current[separator + 1:]))
            current = []
        else:
            current.append(argument)
    return groups


def main() -> None:
    runs = int(sys.argv[1])
    commands = parse(sys.argv[2:])
    times = [[] for _ in commands]
    peaks = [0 for _ in commands]
    with tempfile.NamedTemporaryFile() as report:
        for _ in range(runs):
            for index, (label, command) in enumerate(commands):
                start = time.perf_counter()
                status = subprocess.call(
                    ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[index].append(time.perf_counter() - start)
                if status != 0:
                    print(f"{label}: command failed with status {status}", file=sys.stderr)
                    sys.exit(1)
                with open(report.name) as lines:
                    peaks[index] = max(peaks[index], int(lines.read().split()[-1]))
    for (label, _), measured, peak_kib in zip(commands, times, peaks):
        print(f"{label}\tmedian {statistics.median(measured) * 1000:.1f} ms\tpeak RSS {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
