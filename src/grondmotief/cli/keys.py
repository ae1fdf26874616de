"""Single-key input for interactive loops: cbreak mode (Ctrl-C still interrupts), one key at a time."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def is_interactive() -> bool:
    return sys.stdin.isatty()


@contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    import termios
    import tty

    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def read_key() -> str:
    """One key press as text; arrow and other escape sequences come back as 'esc'; '' at end of input."""
    fd = sys.stdin.fileno()
    with _cbreak(fd):
        first = os.read(fd, 1)
        if not first:
            return ""
        if first == b"\x1b":
            while select.select([fd], [], [], 0.03)[0]:
                if not os.read(fd, 16):
                    break
            return "esc"
        data = first
        # A UTF-8 lead byte announces how many continuation bytes follow.
        need = 1 if first[0] >= 0xC0 else 0
        need += 1 if first[0] >= 0xE0 else 0
        need += 1 if first[0] >= 0xF0 else 0
        while need:
            more = os.read(fd, 1)
            if not more:
                break
            data += more
            need -= 1
        return data.decode("utf-8", errors="replace")


def read_line(prompt: str) -> str:
    """A line of text (cooked mode), the prompt on stderr; '' at end of input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.rstrip("\r\n")
