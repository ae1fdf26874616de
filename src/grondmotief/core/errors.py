"""One exception family: the CLI turns any of these into `Error: …` and exit 1 (2 for a UsageProblem)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, located as precisely as we can."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {tag}{self.message}"


def relpath(path: Path | str, root: Path | None = None) -> str:
    """A path as the user would like to read it: relative to the study when possible."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(p)


class GrondmotiefError(Exception):
    """A problem the user can fix. Never carries interview text."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class UsageProblem(GrondmotiefError):
    """The command line is wrong (exit 2): arguments that parse but name nothing in this study
    (an unknown code, coder, transcript, group or attribute, a --study that is not a study)."""


class StudyNotFound(UsageProblem):
    """No study at --study / $GRONDMOTIEF_STUDY, or none found upwards: where the command was
    pointed is wrong, not a file of a study."""


class SettingsError(GrondmotiefError):
    pass


class CodebookError(GrondmotiefError):
    pass


class TranscriptError(GrondmotiefError):
    pass


class CodingsError(GrondmotiefError):
    pass


class ImportFailed(GrondmotiefError):
    pass


class NlpError(GrondmotiefError):
    pass


class ReportError(GrondmotiefError):
    pass
