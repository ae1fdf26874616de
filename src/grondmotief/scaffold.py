"""`grondmotief init`: a new study from the packaged defaults."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from grondmotief.errors import GrondmotiefError
from grondmotief.fileio import atomic_write_text

GITIGNORE = "# derived caches only: safe to delete\n.grondmotief/\n"
TEMPLATES_README = """Chapter templates (Jinja2, *.md.j2) placed here override the defaults that ship with
grondmotief; `grondmotief report --list-templates` shows the defaults and `grondmotief report
--eject NAME` copies one here to edit. See the README for the variables a template receives.
"""


def _data(name: str) -> str:
    return resources.files("grondmotief").joinpath("data", name).read_text(encoding="utf-8")


def init_study(directory: Path, *, force: bool = False, empty: bool = False, codebook: str | None = None) -> list[Path]:
    """Write a new study. `empty`: settings and folders only, no demo codebook or example transcript
    (for a study that starts from an import or from its own codebook); `codebook` names the active
    codebook file in the settings."""
    directory.mkdir(parents=True, exist_ok=True)
    if not force and any(p for p in directory.iterdir() if not p.name.startswith(".")):
        raise GrondmotiefError(f"{directory} is not empty; pass --force to add a study to it (existing files are kept)")
    settings = _data("grondmotief.yaml")
    name = codebook or ("codebook" if empty else None)
    if name:
        settings = settings.replace(
            "codebook: grondmotieven   ", f"codebook: {name}".ljust(len("codebook: grondmotieven   ")), 1
        )
    files = {directory / "grondmotief.yaml": settings}
    if not empty:
        files[directory / "codebooks" / "grondmotieven.yaml"] = _data("codebooks/grondmotieven.yaml")
        files[directory / "interviews" / "voorbeeld.md"] = _data("example.md")
    files |= {directory / "templates" / "README.txt": TEMPLATES_README, directory / ".gitignore": GITIGNORE}
    written = []
    for path, text in files.items():
        if path.exists():
            continue
        atomic_write_text(path, text)
        written.append(path)
    for sub in ("codebooks", "interviews", "codings", "chapters"):
        (directory / sub).mkdir(exist_ok=True)
    return written
