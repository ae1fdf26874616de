"""Consoles: data on stdout, everything else on stderr. Rich honours NO_COLOR and dumb terminals."""

from __future__ import annotations

from rich.console import Console

out = Console(soft_wrap=False, highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"Warning: {message}", markup=False, style="yellow")
