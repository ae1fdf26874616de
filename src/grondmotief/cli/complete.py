"""Shell completion (`grondmotief --install-completion`) of code ids, coder names and transcript ids.

`app.WrappedGroup` attaches these to every option named below, in every command, so new commands
complete the same values. Only a completion request imports this module; it reads the codebook
and lists files, and never parses transcripts or codings.
"""

from __future__ import annotations

from typing import Any

# option → what it completes (a code group, or a kind of name)
COMPLETES = {
    "--theme": "theme",
    "--motive": "motive",
    "--code": "code",
    "--coder": "coder",
    "--coders": "coder",
    "--transcript": "transcript",
}


def _study(ctx: Any) -> Any:
    from grondmotief.study.folder import Study

    chosen = None
    c = ctx
    while c is not None and chosen is None:
        chosen = (c.params or {}).get("study")
        c = c.parent
    try:
        return Study.open(chosen, strict=False)
    except Exception:  # noqa: BLE001 - no study here: nothing to complete, never an error
        return None


def values(ctx: Any, what: str) -> list[tuple[str, str]]:
    """(value, description) pairs for one kind of option, in the study the command line points at."""
    s = _study(ctx)
    if s is None:
        return []
    try:
        if what == "coder":
            return [(name, "coder") for name in s.coders()]
        if what == "transcript":
            return [(p.stem, "transcript") for p in sorted(s.interviews_dir.glob("*.md"))]
        cb = s.codebook
        ids = cb.order if what == "code" else cb.in_group(what)
        return [(cid, cb.codes[cid].label) for cid in ids]
    except Exception:  # noqa: BLE001 - a broken codebook completes nothing; `check` reports it
        return []


def completer(what: str) -> Any:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        # Comma-separated lists (--coder anna,ben) complete the last name.
        head, _, last = incomplete.rpartition(",") if what == "coder" else ("", "", incomplete)
        prefix = f"{head}," if head else ""
        low = last.lower()
        return [
            CompletionItem(prefix + value, help=about)
            for value, about in values(ctx, what)
            if value.lower().startswith(low) or about.lower().startswith(low)
        ]

    return complete


def attach(param: Any) -> None:
    """Give an option named in COMPLETES its completion, unless it brings its own."""
    long = next((o for o in getattr(param, "opts", ()) if o in COMPLETES), None)
    if long and getattr(param, "_custom_shell_complete", "absent") is None:
        param._custom_shell_complete = completer(COMPLETES[long])
