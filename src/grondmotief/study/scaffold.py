"""`grondmotief init`: a new study from the packaged defaults."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from grondmotief.core.errors import GrondmotiefError
from grondmotief.core.fileio import atomic_write_text

PASSAGES = "grondmotieven.passages.yaml"  # the default codebook's example passages
GITIGNORE = "# derived caches only: safe to delete\n.grondmotief/\n"
TEMPLATES_README = """Chapter templates (Jinja2, *.md.j2) placed here override the defaults that ship with
grondmotief; `grondmotief report --list-templates` shows the defaults and `grondmotief report
--eject NAME` copies one here to edit. docs/chapters.md in the grondmotief repository lists the
variables a template receives.
"""


# CI for the researcher's own study: validate it and fail when a chapter is stale, keeping the
# rendered chapters as an artifact. The install line is the one line a study may need to change
# (e.g. to install grondmotief from a git URL); every other line is a grondmotief command.
GITHUB_WORKFLOW = """# Written by `grondmotief init`: checks the study and that chapters/ is current.
name: grondmotief
on:
  push:
  pull_request:
jobs:
  chapters:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install grondmotief
        run: pip install "{install}"
      - name: Check settings, codebook, transcripts and codings
        run: grondmotief check
      - name: Chapters are current (run `grondmotief report` and commit when this fails)
        run: grondmotief report --check
      - name: Keep the chapters
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: chapters
          path: chapters/
"""
GITLAB_CI = """# Written by `grondmotief init`: checks the study and that chapters/ is current.
grondmotief:
  image: python:3.12
  script:
    - pip install "{install}"
    - grondmotief check
    - grondmotief report --check
  artifacts:
    when: always
    paths:
      - chapters/
"""


def ci_files(directory: Path, install: str) -> dict[Path, str]:
    return {
        directory / ".github" / "workflows" / "grondmotief.yml": GITHUB_WORKFLOW.format(install=install),
        directory / ".gitlab-ci.yml": GITLAB_CI.format(install=install),
    }


def _data(name: str) -> str:
    return resources.files("grondmotief").joinpath("data", name).read_text(encoding="utf-8")


def init_study(
    directory: Path,
    *,
    force: bool = False,
    empty: bool = False,
    codebook: str | None = None,
    ci: bool = True,
    install: str | None = None,
) -> list[Path]:
    """Write a new study. `empty`: settings and folders only, no demo codebook or example transcript
    (for a study that starts from an import or from its own codebook); `codebook` names the active
    codebook file in the settings; `ci`: also the CI files, installing `install`."""
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
        files[directory / "codebooks" / PASSAGES] = _data(f"codebooks/{PASSAGES}")
        files[directory / "interviews" / "voorbeeld.md"] = _data("example.md")
    files |= {directory / "templates" / "README.txt": TEMPLATES_README, directory / ".gitignore": GITIGNORE}
    if ci and not empty:  # --empty means settings and folders only
        from grondmotief import __version__

        if install is not None and (not install.strip() or '"' in install or "\n" in install):
            raise GrondmotiefError("--ci-install must be one pip requirement, e.g. 'grondmotief==0.1.0'")
        files.update(ci_files(directory, install or f"grondmotief=={__version__}"))
    written = []
    for path, text in files.items():
        if path.exists():
            continue
        atomic_write_text(path, text)
        written.append(path)
    for sub in ("codebooks", "interviews", "codings", "chapters"):
        (directory / sub).mkdir(exist_ok=True)
    return written
