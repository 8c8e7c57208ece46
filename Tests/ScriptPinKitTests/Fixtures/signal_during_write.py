"""Sends SIGTERM to a command the moment a temporary file appears.

    python3 signal_during_write.py DIRECTORY -- COMMAND...

Starts COMMAND (with SIGTERM unblocked: test runners block it) and watches
DIRECTORY for a name containing ".tmp-". As soon as one appears, sends
SIGTERM, waits, and prints "caught: STATUS; left: [NAMES]" with the
temporary names still there. Tries up to five times when the command ends
before a temporary was seen, then prints "never caught".
"""
import os
import signal
import subprocess
import sys

ATTEMPTS = 5


def temporaries(directory):
    return sorted(entry.name for entry in os.scandir(directory) if ".tmp-" in entry.name)


def main():
    directory = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1:]
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    for _ in range(ATTEMPTS):
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = []
        while child.poll() is None and not seen:
            seen = temporaries(directory)
        if not seen:
            continue
        child.send_signal(signal.SIGTERM)
        status = child.wait()
        print(f"caught: {status}; left: {temporaries(directory)}")
        return
    print("never caught")


main()
