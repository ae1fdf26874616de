"""`--help` for every command, laid out for a terminal: paragraphs rewrapped to its width, flags
without a value, other options with a metavar (FILE, N, CODE) instead of a Python type, the
option help in one wide column (on its own lines when the names are long), and the example last.

`app.WrappedGroup` installs `format_help` below on every command of the tree, so commands added
later get this help without doing anything.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from enum import Enum
from typing import Any

MAX_WIDTH = 100  # longer lines are hard to read; narrower terminals get their own width
NAME_COLUMN = 28  # option names and metavar; longer ones put their help on the next line

# Metavars for values whose name alone does not say what to type.
METAVARS = {
    "--study": "DIR",
    "--coder": "NAME",
    "--coders": "NAMES",
    "--into": "NAME",
    "--theme": "CODE",
    "--motive": "CODE",
    "--code": "CODE",
    "--transcript": "ID",
    "--id": "ID",
    "--where": "KEY=VALUE",
    "--attribute": "KEY=VALUE",
    "--date": "YYYY-MM-DD",
    "--by": "ATTRIBUTE",
    "--interviewer": "NAME",
}


def width() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH))


def metavar(param: Any) -> str:
    """What to type after an option (empty for a flag), or an argument's name in usage."""
    if param.param_type_name == "argument":
        name = param.metavar or (param.name or "").upper()
        return name + ("..." if param.nargs == -1 and not name.endswith("...") else "")
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    if param.metavar:
        return str(param.metavar)
    long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
    if long in METAVARS:
        return METAVARS[long]
    d = param.type_descriptor
    if d.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in d.choices or ())
    if d.is_path:
        return {"directory": "DIR", "file": "FILE"}.get(d.path_type or "", "PATH")
    base = d.annotation
    if base is int:
        return "N"
    if base is float:
        return "NUMBER"
    return long.lstrip("-").upper().replace("-", "_")


def _default(param: Any, ctx: Any) -> str:
    if param.show_default is False or getattr(param, "hidden", False):
        return ""
    value = param.default
    if callable(value) or value is None or value == [] or value == ():
        return ""
    if getattr(param, "is_flag", False):
        if not param.secondary_opts:
            return ""  # a plain flag is off unless given
        return param.opts[-1] if value else param.secondary_opts[-1]
    if isinstance(value, Enum):
        value = value.value
    return str(value)


def _range(param: Any) -> str:
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if lo is not None and hi is not None:
        return f"{lo} to {hi}"
    if lo is not None and lo not in (0, 1):
        return f"at least {lo}"
    if hi is not None:
        return f"at most {hi}"
    return ""


def _names(param: Any) -> str:
    if param.param_type_name == "argument":
        return metavar(param)
    shorts = [o for o in param.opts if not o.startswith("--")]
    longs = [o for o in param.opts if o.startswith("--")]
    names = ", ".join(shorts + longs)
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    value = metavar(param)
    return f"{names} {value}" if value else names


def _param_help(param: Any, ctx: Any) -> str:
    text = " ".join((getattr(param, "help", None) or "").split())
    extra = [e for e in (_range(param), _default(param, ctx) and f"default: {_default(param, ctx)}") if e]
    if param.required and param.param_type_name != "argument":
        extra.append("required")
    return f"{text} ({'; '.join(extra)})" if extra else text


def _wrap(text: str, w: int, indent: str = "", hang: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=w,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _block(par: str, w: int) -> list[str]:
    """One paragraph rewrapped to the width. Prose lines are joined; an indented "key  text" line
    starts a definition item whose further-indented lines continue it, wrapped under its text."""
    items: list[tuple[str, str, list[str]]] = []  # (indent, hang, words); hang != indent for an item
    for line in par.split("\n"):
        lead = len(line) - len(line.lstrip())
        key = re.match(r"(\s+\S+\s{2,})\S", line)
        last = items[-1] if items else None
        if last and last[1] != last[0] and lead >= len(last[1]):
            last[2].append(line.strip())  # continues a definition
        elif key:
            items.append((" " * lead, " " * len(key.group(1)), [line.strip()]))
        elif last and last[1] == last[0] and lead == len(last[0]):
            last[2].append(line.strip())  # continues prose
        else:
            items.append((" " * lead, " " * lead, [line.strip()]))
    out: list[str] = []
    for indent, hang, words in items:
        text = " ".join(words)
        if hang != indent:  # keep the gap between key and text as the source aligned it
            k, _, rest = text.partition(" ")
            text = k.ljust(len(hang) - len(indent) - 1) + " " + " ".join(rest.split())
            out += _wrap_keep(text, w, indent, hang)
        else:
            out += _wrap(" ".join(text.split()), w, indent=indent, hang=hang)
    return out


def _wrap_keep(text: str, w: int, indent: str, hang: str) -> list[str]:
    """Wrap without collapsing the spaces that align the first line's text under the key column."""
    return textwrap.wrap(
        text,
        width=w,
        initial_indent=indent,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [indent]


def _prose(help_text: str, w: int) -> tuple[list[str], list[str]]:
    """(description lines, example lines) from a docstring; the example is moved to the end."""
    text = textwrap.dedent(help_text).strip().partition("\f")[0]
    lines: list[str] = []
    example: list[str] = []
    for par in re.split(r"\n\s*\n", text):
        par = textwrap.dedent(par.replace("\b\n", "").replace("\b", "")).strip("\n")
        if par.lstrip().startswith("Example:"):
            body = par.lstrip()[len("Example:") :].strip()
            for cmd in [c for c in re.split(r"\n(?=\s*grondmotief )", body) if c.strip()]:
                # Break a long example between options, never between an option and its value.
                units = [u.replace(" ", "\0") for u in re.split(r" (?=-)", " ".join(cmd.split()))]
                wrapped = _wrap(" ".join(units), w, indent="  ", hang="      ")
                example += [line.replace("\0", " ") for line in wrapped]
            continue
        if lines:
            lines.append("")
        lines += _block(par, w)
    return lines, example


def _two_columns(rows: list[tuple[str, str]], w: int) -> list[str]:
    out: list[str] = []
    col = min(max((len(n) for n, _ in rows), default=0), NAME_COLUMN)
    for name, text in rows:
        if len(name) <= col:
            wrapped = _wrap(text, w - col - 4) if text else [""]
            out.append(f"  {name.ljust(col)}  {wrapped[0]}".rstrip())
            out += [" " * (col + 4) + line for line in wrapped[1:]]
        else:
            out.append(f"  {name}")
            out += _wrap(text, w, indent=" " * (col + 4)) if text else []
    return out


def render(cmd: Any, ctx: Any) -> str:
    w = width()
    pieces = [ctx.command_path, "[OPTIONS]"]
    pieces += [metavar(p) for p in cmd.params if p.param_type_name == "argument"]
    if getattr(cmd, "commands", None):
        pieces.append("COMMAND [ARGS]...")
    lines = _wrap("Usage: " + " ".join(pieces), w, hang="         ")
    description, example = _prose(cmd.help or "", w)
    if description:
        lines += ["", *description]
    arguments = [p for p in cmd.params if p.param_type_name == "argument" and not getattr(p, "hidden", False)]
    if arguments:
        lines += ["", "Arguments:", *_two_columns([(_names(p), _param_help(p, ctx)) for p in arguments], w)]
    options = [p for p in cmd.get_params(ctx) if p.param_type_name != "argument" and not getattr(p, "hidden", False)]
    if options:
        lines += ["", "Options:", *_two_columns([(_names(p), _param_help(p, ctx)) for p in options], w)]
    commands = getattr(cmd, "commands", None) or {}
    if commands:
        rows = []
        for name, sub in commands.items():
            if getattr(sub, "hidden", False):
                continue
            first = re.split(r"\n\s*\n", textwrap.dedent(sub.help or "").strip())[0]
            rows.append((name, " ".join(first.split())))
        lines += ["", "Commands:", *_two_columns(rows, w)]
    if example:
        lines += ["", "Example:", *example]
    return "\n".join(lines) + "\n"


def format_help(cmd: Any, ctx: Any, formatter: Any) -> None:
    formatter.write(render(cmd, ctx))
