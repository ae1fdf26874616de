"""Consoles: data on stdout, everything else on stderr. Rich honours NO_COLOR and dumb terminals.

Rich costs a quick command ~18 ms to import, so the consoles are made on first use, and a plain
line to stderr that is not a terminal (`info`, `warn`, errors) is written as is when rich would
write exactly that: no colour forced, nothing rich would change in it (tabs, the control codes
it strips, `:emoji:` codes).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

# What rich would change in a line printed without markup: tabs (expanded), the control codes
# it strips (bell, backspace, vertical tab, form feed, carriage return), `:name:` emoji codes.
_CHANGED_BY_RICH = re.compile(r"[\t\x07\x08\x0b\x0c\r]|:\S*?:")


class _Lazy:
    """A rich Console made when first used, with rich's own arguments."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Any = None

    def get(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._kwargs)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


out: Any = _Lazy(soft_wrap=False, highlight=False)
err: Any = _Lazy(stderr=True, highlight=False, soft_wrap=True)


def follow_terminal() -> None:
    """Take the width anew for each command: rich fixes it from COLUMNS when a console is made, and
    in-process runs (tests, scripts calling the app) change COLUMNS between commands."""
    for console in (out, err):
        if console._console is not None:  # one made later reads COLUMNS then
            console._console._width = None  # rich then reads COLUMNS, else the terminal, on every use


def _is_terminal(stream: Any) -> bool:
    """Rich's own test (Console.is_terminal), without importing rich; Jupyter counts as one."""
    if "ipykernel" in sys.modules or hasattr(sys.modules.get("builtins"), "get_ipython"):
        return True  # rich renders there itself
    env = os.environ
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def print_err(message: str, style: str | None = None) -> None:
    """`err.print(message, markup=False, style=style)`, without rich where its output is the same."""
    stream = sys.stderr
    if err._console is None and not _CHANGED_BY_RICH.search(message) and not _is_terminal(stream):
        stream.write(message + "\n")
        stream.flush()
        return
    err.print(message, markup=False, style=style)


def info(message: str) -> None:
    print_err(message)


def warn(message: str) -> None:
    print_err(f"Warning: {message}", style="yellow")
