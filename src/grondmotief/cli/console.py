"""Consoles: data on stdout, everything else on stderr. Rich honours NO_COLOR and dumb terminals."""

from __future__ import annotations

from rich.console import Console

out = Console(soft_wrap=False, highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def follow_terminal() -> None:
    """Take the width anew for each command: rich fixes it from COLUMNS when a console is made, and
    in-process runs (tests, scripts calling the app) change COLUMNS between commands."""
    for console in (out, err):
        console._width = None  # rich then reads COLUMNS, else the terminal, on every use


def info(message: str) -> None:
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"Warning: {message}", markup=False, style="yellow")
