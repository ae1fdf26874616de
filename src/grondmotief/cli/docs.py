"""Generate docs/cli.md from the commands themselves, so the reference cannot drift from --help."""

from __future__ import annotations

import inspect

import typer.main

from grondmotief.cli.app import app
from grondmotief.cli.help import metavar


def _walk(cmd, path):  # type: ignore[no-untyped-def]
    yield path, cmd
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from _walk(sub, [*path, name])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Generated from the commands' own help by `make docs`; CI checks it is current.",
        "",
    ]
    for path, cmd in _walk(root, ["grondmotief"]):
        if getattr(cmd, "commands", None) and len(path) > 1:
            lines += [f"## `{' '.join(path)}`", "", inspect.cleandoc(cmd.help or ""), ""]
            continue
        if len(path) == 1:
            continue
        lines += [
            f"## `{' '.join(path)}`",
            "",
            inspect.cleandoc(cmd.help or "").replace("Example: ", "Example:\n\n    "),
            "",
        ]
        rows = []
        for p in cmd.params:
            if p.name == "help":
                continue
            if getattr(p, "param_type_name", "") == "argument":
                rows.append((metavar(p), "argument", (getattr(p, "help", "") or "")))
            else:
                names = " ".join([", ".join(p.opts + list(p.secondary_opts)), metavar(p)]).strip()
                rows.append((names, "option", p.help or ""))
        if rows:
            lines += ["| name | kind | meaning |", "| --- | --- | --- |"]
            lines += [f"| `{_cell(n)}` | {k} | {_cell(h)} |" for n, k, h in rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
