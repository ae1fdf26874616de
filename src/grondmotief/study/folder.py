"""A study is a folder: settings, codebooks, transcripts, codings, templates, chapters."""

from __future__ import annotations

import contextlib
import getpass
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core.errors import (
    CodingsError,
    GrondmotiefError,
    Problem,
    SettingsError,
    StudyNotFound,
    TranscriptError,
    relpath,
)
from grondmotief.study.codebook import Codebook, lint_codebook, load_codebook
from grondmotief.study.codings import CODER_NAME, Anchoring, CodingStore, ReadResult, anchor
from grondmotief.study.settings import SETTINGS_FILE, load_settings
from grondmotief.study.transcripts import Segment, Transcript, load_all, parse_segment_ref

if TYPE_CHECKING:
    from grondmotief.privacy.finding import Finding
    from grondmotief.study.codings import Decision
    from grondmotief.study.front_matter import MetaFinding
    from grondmotief.study.quickcache import QuickCache
    from grondmotief.study.settings import Settings

ENV_VAR = "GRONDMOTIEF_STUDY"


def is_study(folder: Path) -> bool:
    return (folder / SETTINGS_FILE).is_file() or (folder / "codebooks").is_dir()


def find_study(explicit: Path | str | None = None, cwd: Path | None = None) -> Path:
    """--study PATH, else $GRONDMOTIEF_STUDY, else the nearest folder upwards that looks like a study."""
    for source, value in (("--study", explicit), (f"${ENV_VAR}", os.environ.get(ENV_VAR) or None)):
        if value:
            folder = Path(value).expanduser()
            if not folder.is_dir():
                raise StudyNotFound(f"{source} {folder}: no such folder")
            if not is_study(folder):
                raise StudyNotFound(
                    f"{source} {folder}: not a study (no {SETTINGS_FILE} and no codebooks/); create one with `grondmotief init {folder}`"
                )
            return folder.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_study(folder):
            return folder
    raise StudyNotFound(
        f"no study found in {here} or its parents (looked for {SETTINGS_FILE} or codebooks/); "
        "create one with `grondmotief init DIR`, or pass --study PATH"
    )


@dataclass
class Study:
    root: Path
    settings: Settings
    settings_problems: list[Problem] = field(default_factory=list)
    # Files rolled back on opening: a codebook refactor had been interrupted (see journal.py).
    recovered: list[str] = field(default_factory=list)
    withheld_front_matter: list[MetaFinding] = field(default_factory=list)
    # Read-only quick commands read validated files through the quick-start cache (quickcache.py).
    quick: QuickCache | None = None
    _scans: Any = field(default=None, repr=False)  # quick commands' personal-data scan cache

    @classmethod
    def open(cls, explicit: Path | str | None = None, *, strict: bool = True, quick: bool = False) -> Study:
        root = find_study(explicit)
        cache = None
        if quick:
            from grondmotief.study.quickcache import QuickCache

            cache = QuickCache(root, _own_cache_dir(root))
            settings, problems = cache.settings(root / SETTINGS_FILE, SETTINGS_FILE)
        else:
            settings, problems = load_settings(root)
        if problems and strict:
            raise SettingsError(f"{SETTINGS_FILE} has {len(problems)} problem(s)", problems)
        study = cls(root, settings, problems, quick=cache)
        if (root / ".grondmotief" / "journal" / "journal.json").exists():  # one stat; rare
            from grondmotief.core.journal import recover

            study.recovered = recover(root, study.cache_dir)
        return study

    # Folders -----------------------------------------------------------------
    # A study may come from someone else's repository: a committed symlink `codings -> ~/x` would
    # make `code` write there. Every folder the tool reads or writes must stay inside the study.
    def _own(self, name: str) -> Path:
        path = self.root / name
        _refuse_link_out(path, self.root, name)
        return path

    @property
    def codebooks_dir(self) -> Path:
        return self._own("codebooks")

    @property
    def interviews_dir(self) -> Path:
        return self._own("interviews")

    @property
    def codings_dir(self) -> Path:
        return self._own("codings")

    @property
    def templates_dir(self) -> Path:
        return self._own("templates")

    @property
    def chapters_dir(self) -> Path:
        return self.root / self.settings.report.chapters_dir

    @property
    def cache_dir(self) -> Path:
        return _own_cache_dir(self.root)

    def rel(self, path: Path) -> str:
        return relpath(path, self.root)

    # Codebook ----------------------------------------------------------------
    @property
    def codebook_path(self) -> Path:
        name = self.settings.codebook
        path = self.codebooks_dir / name
        if path.suffix not in (".yaml", ".yml"):
            found = [path.with_name(path.name + ext) for ext in (".yaml", ".yml")]
            path = next((p for p in found if p.exists() or p.is_symlink()), found[0])
        _refuse_link_out(path, self.root, f"codebooks/{path.name}")
        return path

    def _require_codebook_file(self) -> Path:
        path = self.codebook_path
        if not path.exists():
            found = sorted(p.name for p in self.codebooks_dir.glob("*.y*ml")) if self.codebooks_dir.is_dir() else []
            raise GrondmotiefError(
                f"codebook {self.rel(path)} not found (settings `codebook: {self.settings.codebook}`; "
                f"available: {', '.join(found) or 'none'})"
            )
        return path

    @cached_property
    def codebook(self) -> Codebook:
        path = self._require_codebook_file()
        if self.quick is not None:
            return self.quick.codebook(path, self.rel(path))
        return load_codebook(path, self.rel(path))

    def lint_codebook(self) -> tuple[Codebook | None, list[Problem]]:
        path = self._require_codebook_file()
        return lint_codebook(path, self.rel(path), passages=True)

    # Transcripts -------------------------------------------------------------
    @property
    def max_bytes(self) -> int:
        return int(self.settings.limits.max_file_mb * 1024 * 1024)

    def load_transcripts(self) -> tuple[list[Transcript], list[Problem]]:
        reader = self.quick.transcript if self.quick is not None else None
        return load_all(self.interviews_dir, self.root, self.max_bytes, reader=reader)

    @cached_property
    def transcripts(self) -> dict[str, Transcript]:
        transcripts, problems = self.load_transcripts()
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise TranscriptError(
                f"{len(errors)} problem(s) in interviews/; `grondmotief check` lists them all", errors
            )
        from grondmotief.study.front_matter import withhold_front_matter

        # Whatever prints a title or attribute reads it from here, so flagged values are withheld once.
        self.withheld_front_matter = withhold_front_matter(transcripts, self.settings.privacy, self.scan)
        return {t.id: t for t in transcripts}

    def scan(self, text: str) -> list[Finding]:
        """The personal-data detector on `text`, with the study's privacy settings. Quick commands
        read what it found from the scan cache (privacy/cache.py, which `check` fills), saving the
        detector's name lists from loading; what they scan anew is stored when they are done."""
        if self.quick is None:
            from grondmotief.privacy.detector import scan_text

            return scan_text(text, self.settings.privacy)
        if self._scans is None:
            from grondmotief.privacy.cache import ScanCache

            self._scans = ScanCache(self.settings.privacy, self.cache_dir)
        return self._scans.scan(text)  # type: ignore[no-any-return]

    def transcript(self, tid: str, option: str | None = None) -> Transcript:
        """The transcript a user named; an unknown id is a usage error with the nearest ids."""
        try:
            return self.transcripts[tid]
        except KeyError:
            from grondmotief.core.lookup import unknown

            raise unknown("transcript", tid, sorted(self.transcripts), option=option) from None

    def segment(self, ref: str) -> Segment:
        tid, n = parse_segment_ref(ref)
        t = self.transcript(tid)
        seg = t.segment(n)
        if seg is None:
            raise GrondmotiefError(f"{tid} has {len(t.segments)} paragraphs; there is no ¶{n}")
        return seg

    def coded_segments(self) -> list[Segment]:
        roles = self.settings.coded_roles
        return [s for t in self.transcripts.values() for s in t.coded_segments(roles)]

    # Codings -----------------------------------------------------------------
    def default_coder(self) -> str:
        name = self.settings.coder or os.environ.get("GRONDMOTIEF_CODER") or _user()
        return name

    def coders(self) -> list[str]:
        if not self.codings_dir.is_dir():
            return []
        return sorted(p.stem for p in self.codings_dir.glob("*.jsonl") if CODER_NAME.fullmatch(p.stem))

    def require_coder(self, name: str, option: str | None = None) -> str:
        """A coder named on the command line must have a codings file (else: the nearest names)."""
        have = self.coders()
        if name not in have:
            from grondmotief.core.lookup import unknown

            raise unknown("coder", name, have, option=option, what=f"no codings/{name}.jsonl")
        return name

    def new_coder_note(self, name: str) -> str:
        """For commands that may start a new coder (`code`, `suggest`): a name with no codings yet
        that is close to one with codings is probably a typo; says so, else ''."""
        from grondmotief.core.lookup import did_you_mean

        have = self.coders()
        if name in have:
            return ""
        hint = did_you_mean(name, have)
        return f"'{name}' is a new coder (no codings/{name}.jsonl yet){hint}" if hint else ""

    def store(self, coder: str) -> CodingStore:
        return CodingStore(self.codings_dir / f"{coder}.jsonl", coder, self.cache_dir / "locks", self.max_bytes * 10)

    def read_codings(self, coder: str) -> ReadResult:
        if self.quick is not None:
            return self.quick.codings(self.store(coder))
        return self.store(coder).read()

    def save_quick_cache(self) -> None:
        """Write back what this run validated (quick commands call it when done)."""
        if self.quick is not None:
            self.quick.save()
        if self._scans is not None:
            self._scans.save()

    def decisions(self, coders: list[str] | None = None, *, strict: bool = True) -> list[Anchoring]:
        """Decisions of the given coders (default: all), anchored to the current transcripts.

        Orphans are kept in the result (status 'orphan') so callers can warn; nothing is dropped.
        """
        chosen = coders if coders is not None else self.coders()
        out: list[Anchoring] = []
        for coder in chosen:
            if coders is not None and not (self.codings_dir / f"{coder}.jsonl").exists():
                self.require_coder(coder)
            result = self.read_codings(coder)
            errors = [p for p in result.problems if p.severity == "error"]
            if errors and strict:
                raise CodingsError(
                    f"codings/{coder}.jsonl has {len(errors)} problem(s); `grondmotief check` lists them", errors
                )
            out.extend(anchor(result.decisions, self.transcripts))
        return out

    def accepted(self, coders: list[str] | None = None) -> list[Decision]:
        """Accepted decisions re-anchored to current segment ids, orphans left out (check reports them)."""
        result = []
        for a in self.decisions(coders):
            if a.status == "orphan" or a.decision.decision != "accepted":
                continue
            d = a.decision
            result.append(d if a.new_segment is None else d.model_copy(update={"segment": a.new_segment}))
        return result

    # Exports -----------------------------------------------------------------
    def export_target(self, output: Path, *, force: bool = False) -> Path:
        """Where an export may write: never over the study's own sources, never over a file unasked.

        `export --output codings/anna.jsonl` would replace a coder's decisions, `-o codebooks/x.yaml`
        the codebook; both are refused however the path is spelt (relative, `..`, a symbolic link).
        """
        target = output.resolve()
        root = self.root.resolve()
        if target == root or root in target.parents:
            first = target.relative_to(root).parts[0]
            if first in _SOURCES or first.startswith("."):
                what = "the settings file" if first == SETTINGS_FILE else f"{first}/"
                raise GrondmotiefError(
                    f"--output {output}: refusing to write an export into {what} of the study, which holds "
                    "its sources; write it somewhere else (the study folder itself or outside it)"
                )
        if (output.exists() or output.is_symlink()) and not force:
            raise GrondmotiefError(f"--output {output}: the file exists already; pass --force to replace it")
        return output  # a link outside the sources is replaced itself by the atomic rename, not its target

    def report_coders(self, coder: str | None = None) -> list[str] | None:
        """Whose decisions tallies, quotes and reports use: --coder, else settings, else everyone."""
        chosen = coder or self.settings.report.coder
        if chosen is None:
            return None
        return [c.strip() for c in chosen.split(",") if c.strip()]


# What an export must never overwrite (the same folders `report` keeps chapters out of).
_SOURCES = {"codings", "interviews", "codebooks", "templates", SETTINGS_FILE}


def _own_cache_dir(root: Path) -> Path:
    path = root / ".grondmotief"
    _refuse_link_out(path, root, ".grondmotief")
    with contextlib.suppress(OSError):  # the caches, locks and backups the tool keeps in it
        for entry in os.scandir(path):
            if entry.is_symlink():
                _refuse_link_out(Path(entry.path), root, f".grondmotief/{entry.name}")
    return path


def _refuse_link_out(path: Path, root: Path, name: str) -> None:
    if not path.is_symlink():
        return
    target = path.resolve()
    real_root = root.resolve()
    if target != real_root and real_root not in target.parents:
        raise GrondmotiefError(
            f"{name}: is a symbolic link to a place outside the study; grondmotief does not read or write "
            f"through it. Replace {name} with a real folder (or a link inside the study)"
        )


def _user() -> str:
    try:
        name = os.environ.get("USER") or getpass.getuser()
    except Exception:
        name = "coder"
    cleaned = "".join(ch for ch in name if ch.isalnum() or ch in "._-")
    return cleaned or "coder"
