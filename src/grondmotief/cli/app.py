"""The root Typer app. Command groups live in `cmd_*.py`, each with a `register(app)`."""

from __future__ import annotations

import copy
import gc
import importlib
import os
import sys
import types
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import exceptions as typer_exc
from typer.core import TyperGroup

from grondmotief import __version__
from grondmotief.core.errors import GrondmotiefError, UsageProblem


def report_error(exc: BaseException) -> int:
    """The one place an exception becomes a message and an exit code."""
    from grondmotief.cli.console import print_err

    if isinstance(exc, GrondmotiefError):
        print_err(f"Error: {exc}", style="red")
        return 2 if isinstance(exc, UsageProblem) else 1
    if isinstance(exc, KeyboardInterrupt):
        print_err("Interrupted; every decision confirmed so far is on disk.")
        return 130
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, OSError) and exc.filename:
        print_err(f"Error: {exc.filename}: {exc.strerror or type(exc).__name__}", style="red")
        return 1
    import traceback

    if os.environ.get("GRONDMOTIEF_DEBUG"):
        traceback.print_exception(exc)
    # No message text: it could quote interview content. Type and place are enough to report it.
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb) if "grondmotief" in f.filename), "?")
    print_err(
        f"Error: internal error ({type(exc).__name__} at {where}). Please report it; "
        "GRONDMOTIEF_DEBUG=1 shows the traceback.",
        style="red",
    )
    return 1


def _format_help(self: Any, ctx: Any, formatter: Any) -> None:
    from grondmotief.cli.help import format_help

    format_help(self, ctx, formatter)


def _get_params(self: Any, ctx: Any) -> Any:
    from grondmotief.cli.coerce import install

    params = type(self).get_params(self, ctx)
    for param in params:  # also --help and the completion options, made per run
        install(param)
    return params


def _our_help(cmd: Any) -> None:
    """Every command and group in the tree, whoever registered it, renders --help with cli/help.py
    and completes code ids, coder names and transcript ids with cli/complete.py."""
    from grondmotief.cli.coerce import install
    from grondmotief.cli.complete import attach

    cmd.format_help = types.MethodType(_format_help, cmd)
    cmd.get_params = types.MethodType(_get_params, cmd)
    for param in cmd.params:
        attach(param)
        install(param)  # values converted without pydantic (start-up, issue 14)
    for sub in (getattr(cmd, "commands", None) or {}).values():
        _our_help(sub)


class WrappedGroup(TyperGroup):
    """Every command runs inside this group's invoke, so this is where errors are translated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _our_help(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer_exc.TyperException):
            raise
        except BaseException as exc:  # noqa: BLE001 - translated, never swallowed
            if isinstance(exc, SystemExit):
                raise
            code = report_error(exc)
            raise typer.Exit(code) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)


_root = typer.Typer(
    name="grondmotief",
    cls=WrappedGroup,
    help="Code Dutch interview transcripts with a codebook, review suggestions in the terminal, "
    "and render tallies and quotes into report chapters.\n\n"
    "Example: grondmotief quote --theme subsidies --limit 3",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"grondmotief {__version__}")
        raise typer.Exit()


@_root.callback()
def root(
    ctx: typer.Context,
    study: Annotated[
        Path | None,
        typer.Option(
            "--study",
            "-S",
            help="Study folder (default: $GRONDMOTIEF_STUDY, "
            "else the nearest folder upwards with grondmotief.yaml or codebooks/).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    from grondmotief.cli.console import follow_terminal

    follow_terminal()
    ctx.obj = {"study": study}


# Which cmd_*.py module(s) register each command, so a command imports only its own module (a
# quarter of `find`'s start-up was importing the others, issue 14). A test checks it names every
# command the whole app has; a command missing here would only be slower (the whole app answers).
MODULES: dict[str, tuple[str, ...]] = {
    "init": ("cmd_study",),
    "check": ("cmd_study",),
    "import": ("cmd_import",),
    "code": ("cmd_code",),
    "status": ("cmd_code",),
    "suggest": ("cmd_suggest",),
    "tally": ("cmd_analysis",),
    "crosstab": ("cmd_analysis",),
    "quote": ("cmd_quote",),
    "find": ("cmd_find",),
    "words": ("cmd_words",),
    "saturation": ("cmd_saturation",),
    "agree": ("cmd_agree",),
    "export": ("cmd_export",),
    "report": ("cmd_report",),
    "codebook": ("cmd_codebook", "cmd_codebook_edit"),
}
_whole: list[typer.Typer] = []  # the root with every command, made on first use


def _register(target: typer.Typer, names: list[str]) -> None:
    loaded = [importlib.import_module(f"grondmotief.cli.{name}") for name in names]
    for module in sorted(loaded, key=lambda m: getattr(m, "ORDER", 100)):
        module.register(target)


def whole_app() -> typer.Typer:
    """The root with every cmd_*.py registered: for --help, completion, docs and unknown commands."""
    if not _whole:
        import grondmotief.cli as pkg

        # A listing of the package folder, not pkgutil: importing pkgutil costs a quick command ~10 ms.
        modules = sorted(
            name[:-3]
            for folder in pkg.__path__
            for name in os.listdir(folder)
            if name.startswith("cmd_") and name.endswith(".py")
        )
        _register(_root, modules)
        _whole.append(_root)
    return _whole[0]


def __getattr__(name: str) -> Any:
    if name == "app":  # `from grondmotief.cli.app import app`: the whole app, as before
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _invoked(argv: list[str]) -> str | None:
    """The command named on the command line: the first word after the root's --study."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--study", "-S"):
            i += 2
        elif arg.startswith("--study=") or (arg.startswith("-S") and not arg.startswith("--")):
            i += 1
        elif arg.startswith("-"):
            return None  # --help, --version, a typo: the whole app answers
        else:
            return arg
    return None


def only(name: str | None) -> typer.Typer:
    """The app with just the command (or command group) `name`, when there is one by that name.

    Typer builds every command's options from its signature before running one (a third of
    `tally`'s start-up, issue 14), and importing every cmd_*.py costs as much again; a command runs
    the same with its siblings left out. Anything else (no name, an unknown one, --help of the
    whole app) gets the whole app.
    """
    from typer.main import get_command_name, solve_typer_info_defaults

    if name is None or name not in MODULES:
        return whole_app()
    pruned = copy.copy(_root)
    pruned.registered_commands = []
    pruned.registered_groups = []
    _register(pruned, list(MODULES[name]))
    pruned.registered_commands = [
        c
        for c in pruned.registered_commands
        if (c.name or get_command_name(c.callback.__name__)) == name  # type: ignore[union-attr]
    ]
    pruned.registered_groups = [g for g in pruned.registered_groups if solve_typer_info_defaults(g).name == name]
    return pruned


def main() -> None:
    # Loading a study allocates hundreds of thousands of small long-lived objects (decisions,
    # segments); the default gen-0 threshold (700) makes the collector rescan them constantly.
    # Measured on 500,000 decisions: loading 25% faster with this threshold.
    gc.set_threshold(50_000, 20, 100)
    completing = any(k.startswith("_GRONDMOTIEF_COMPLETE") for k in os.environ)  # completion sees everything
    try:
        (whole_app() if completing else only(_invoked(sys.argv[1:])))()
    except BaseException as exc:  # errors outside a command (e.g. while parsing)
        if isinstance(exc, SystemExit):
            raise
        sys.exit(report_error(exc))
