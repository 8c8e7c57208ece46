"""Runs a command on a new pseudo-terminal, as a person at a terminal would.

    python3 pty_driver.py PROMPT ANSWER -- COMMAND...

The terminal starts 33 rows by 101 columns. Waits until PROMPT appears,
resizes the terminal to 40 by 120 (the command gets SIGWINCH), types
ANSWER and a newline, then prints everything the terminal showed until the
command ends, and exits with the command's status. The command is the terminal's session
leader, so whatever is pushed into the terminal's input (TIOCSTI) is read
by the command's own later reads, never by this driver.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

# Long enough for a debug build to fetch, verify and start a confined script.
DEADLINE_SECONDS = 60
FIRST_SIZE = (33, 101)
SECOND_SIZE = (40, 120)


def resize(master, size):
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))


def main():
    prompt, answer = sys.argv[1].encode(), sys.argv[2].encode()
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    resize(master, FIRST_SIZE)
    shown = b""
    answered = False
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        if not answered and prompt in shown:
            resize(master, SECOND_SIZE)
            time.sleep(0.2)
            os.write(master, answer + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(shown.replace(b"\r\n", b"\n"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
