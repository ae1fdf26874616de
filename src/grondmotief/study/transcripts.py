"""Transcripts: Markdown with YAML front matter; a segment is a paragraph (a speaker turn)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core.errors import GrondmotiefError, Problem, TranscriptError
from grondmotief.core.fileio import LineDict, decode_text, emptiness, load_yaml, read_text
from grondmotief.study.ids import SEGMENT_REF, TRANSCRIPT_ID, Scalar  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from grondmotief.study.transcript_model import FrontMatter

LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z0-9]{0,7}):[ \t]+")
PARA_BREAK = re.compile(r"\n[ \t]*\n")
# Terminal control characters (ESC sequences can retitle or rewrite a coder's terminal).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# {file} and {encoding} are filled in by fileio.decode_text: a command to run from the study folder.
ENCODING_HINT = "Convert it in place, from the study folder: `grondmotief import --encoding {encoding} --force {file}`."


def __getattr__(name: str) -> Any:
    # The pydantic model is built on first use: quick commands read cached front matter (issue 14).
    if name == "FrontMatter":
        from grondmotief.study.transcript_model import FrontMatter

        return FrontMatter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def text_sha(text: str) -> str:
    """The anchor of a decision: a short hash of the passage text, whitespace-normalised."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


@dataclass
class Segment:
    transcript: str
    n: int
    label: str | None
    role: str | None
    text: str
    start: int  # offset of `text` in the body
    line: int  # line in the file where the paragraph starts

    @property
    def id(self) -> str:
        return f"{self.transcript}¶{self.n}"

    @cached_property
    def sha(self) -> str:
        return text_sha(self.text)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Transcript:
    path: Path
    meta: FrontMatter
    body: str
    body_line: int
    segments: list[Segment] = field(default_factory=list)
    # File line of each front-matter value ("title", "notes", "attributes.sector"), for check's messages.
    meta_lines: dict[str, int] = field(default_factory=dict)
    # Front-matter values withheld from every output (field → kinds of personal data found); see pii_meta.
    withheld_meta: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def attributes(self) -> dict[str, Scalar]:
        return self.meta.attributes

    def segment(self, n: int) -> Segment | None:
        return self.segments[n - 1] if 1 <= n <= len(self.segments) else None

    def previous_turn(self, seg: Segment) -> Segment | None:
        """The turn before, typically the interviewer's question: context for a quote."""
        return self.segment(seg.n - 1)

    def coded_segments(self, roles: list[str]) -> list[Segment]:
        return [s for s in self.segments if s.role in roles]


def parse_segment_ref(ref: str) -> tuple[str, int]:
    m = SEGMENT_REF.fullmatch(ref.strip())
    if not m:
        raise GrondmotiefError(f"'{ref}' is not a citation id like org07¶12 (or org07#12)")
    return m["tid"], int(m["n"])


def normalise_ref(ref: str) -> str:
    tid, n = parse_segment_ref(ref)
    return f"{tid}¶{n}"


def split_front_matter(text: str, label: str) -> tuple[str, str, int]:
    """(yaml text, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        raise TranscriptError(
            "missing front matter",
            [
                Problem(
                    label,
                    1,
                    "a transcript starts with a '---' line, then YAML front matter (id, title, attributes, speakers), then '---'",
                )
            ],
        )
    end = re.search(r"^---[ \t]*$", text[4:], flags=re.MULTILINE)
    if end is None:
        raise TranscriptError(
            "unterminated front matter", [Problem(label, 1, "front matter has no closing '---' line")]
        )
    yaml_text = text[4 : 4 + end.start()]
    after = 4 + end.end()
    if after < len(text) and text[after] == "\n":
        after += 1
    body_line = text.count("\n", 0, after) + 1
    return yaml_text, text[after:], body_line


def parse_transcript(text: str, path: Path, label: str | None = None) -> tuple[Transcript | None, list[Problem]]:
    label = label or str(path)
    if why := emptiness(text):
        return None, [Problem(label, None, f"{why}: a transcript is front matter (id, speakers) and paragraphs")]
    try:
        yaml_text, body, body_line = split_front_matter(text, label)
        raw = load_yaml(yaml_text, label, line_offset=1)
    except GrondmotiefError as exc:
        return None, exc.problems or [Problem(label, None, exc.message)]
    if not isinstance(raw, dict):
        return None, [Problem(label, 2, "front matter must be a YAML mapping (id: …, title: …)")]
    from grondmotief.study.models import validate
    from grondmotief.study.transcript_model import FrontMatter

    meta, problems = validate(FrontMatter, raw, label, line_offset=1)
    if meta is None:
        return None, problems
    problems = []
    if path.suffix == ".md" and meta.id != path.stem:
        line = raw.key_lines.get("id", 2) + 1 if isinstance(raw, LineDict) else 2
        problems.append(
            Problem(label, line, f"id '{meta.id}' differs from the file name '{path.stem}'; rename one so they match")
        )
    bad = CONTROL.search(body)
    if bad:
        line = body_line + body.count("\n", 0, bad.start())
        problems.append(
            Problem(
                label,
                line,
                f"control character U+{ord(bad.group()):04X} in the text; remove it (it can garble a terminal)",
            )
        )
    transcript = Transcript(path, meta, body, body_line, meta_lines=_meta_lines(raw))
    previous: tuple[str | None, str | None] = (None, None)
    line, counted_to = body_line, 0
    for n, (chunk_start, chunk) in enumerate(_paragraphs(body), start=1):
        # Count newlines incrementally: a per-paragraph count from the start is quadratic.
        line += body.count("\n", counted_to, chunk_start)
        counted_to = chunk_start
        spk, role = previous
        text_start = chunk_start
        m = LABEL.match(chunk)
        if m:
            if m["label"] in meta.speakers:
                spk = m["label"]
                role = meta.speakers[spk]
                text_start = chunk_start + m.end()
            elif len(m["label"]) <= 3 and m["label"].isupper():
                problems.append(
                    Problem(
                        label, line, f"speaker label '{m['label']}' is not in `speakers` ({', '.join(meta.speakers)})"
                    )
                )
        text = body[text_start : chunk_start + len(chunk)]
        transcript.segments.append(Segment(meta.id, n, spk, role, text, text_start, line))
        previous = (spk, role)
    if not transcript.segments:
        problems.append(Problem(label, body_line, "the transcript has no paragraphs after its front matter"))
    return transcript, problems


def _meta_lines(raw: object) -> dict[str, int]:
    # LineDict lines count from the YAML text, which starts on the file's line 2.
    if not isinstance(raw, LineDict):
        return {}
    out = {k: n + 1 for k, n in raw.key_lines.items() if isinstance(k, str)}
    attrs = raw.get("attributes")
    if isinstance(attrs, LineDict):
        out.update({f"attributes.{k}": n + 1 for k, n in attrs.key_lines.items() if isinstance(k, str)})
    return out


def _paragraphs(body: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    start = 0
    for m in PARA_BREAK.finditer(body):
        _add_para(out, body, start, m.start())
        start = m.end()
    _add_para(out, body, start, len(body))
    return out


def _add_para(out: list[tuple[int, str]], body: str, start: int, end: int) -> None:
    chunk = body[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    out.append((start + lead, stripped))


def read_transcript(
    path: Path, label: str | None = None, max_bytes: int | None = None
) -> tuple[Transcript | None, list[Problem]]:
    label = label or str(path)
    try:
        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        text = read_text(path, label, hint=ENCODING_HINT, **kwargs)  # type: ignore[arg-type]
    except GrondmotiefError as exc:
        return None, [_as_problem(exc, label)]
    return parse_transcript(text, path, label)


def transcript_from_bytes(data: bytes, path: Path, label: str) -> tuple[Transcript | None, list[Problem]]:
    """`read_transcript` on bytes already read (the quick-start cache hashes exactly these)."""
    try:
        text = decode_text(data, label, hint=ENCODING_HINT)
    except GrondmotiefError as exc:
        return None, [_as_problem(exc, label)]
    return parse_transcript(text, path, label)


def _as_problem(exc: GrondmotiefError, label: str) -> Problem:
    if exc.problems:
        return exc.problems[0]
    msg = exc.message
    m = re.match(rf"^{re.escape(label)}(?::(\d+))?: (.*)$", msg, flags=re.DOTALL)
    if m:
        return Problem(label, int(m[1]) if m[1] else None, m[2])
    return Problem(label, None, msg)


def render_transcript(meta: FrontMatter, turns: list[tuple[str, str]]) -> str:
    """Write a transcript file: front matter then one paragraph per (label, text) turn."""
    from grondmotief.core.fileio import dump_yaml
    from grondmotief.study.transcript_model import FrontMatter

    data = meta.model_dump(mode="json", exclude_defaults=False)
    ordered = {
        k: data[k] for k in ("id", "title", "attributes", "interviewed", "speakers") if data.get(k) not in (None, "")
    }
    for k in ("language", "notes", "example"):
        if data.get(k) and data[k] != FrontMatter.model_fields[k].default:
            ordered[k] = data[k]
    clean = [(lbl, " ".join(CONTROL.sub(" ", txt).split())) for lbl, txt in turns]
    paras = [f"{lbl}: {txt}" if lbl else txt for lbl, txt in clean]
    return "---\n" + dump_yaml(ordered) + "---\n" + "\n\n".join(paras) + "\n"


Reader = Callable[[Path, str, "int | None"], "tuple[Transcript | None, list[Problem]]"]


def load_all(
    folder: Path, root: Path | None = None, max_bytes: int | None = None, *, reader: Reader | None = None
) -> tuple[list[Transcript], list[Problem]]:
    """Every transcript in `folder`; `reader` reads one file (default `read_transcript`)."""
    from grondmotief.core.errors import relpath

    read = reader or read_transcript

    transcripts: list[Transcript] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if path.name.startswith(".") or not path.is_file():
            continue
        label = relpath(path, root)
        if root is not None and path.is_symlink() and root.resolve() not in path.resolve().parents:
            # A committed link to a file elsewhere on the machine would be quoted into chapters.
            label = f"{folder.name}/{path.name}"
            problems.append(Problem(label, None, "is a symbolic link to a file outside the study; not read"))
            continue
        t, probs = read(path, label, max_bytes)
        problems.extend(probs)
        if t is None:
            continue
        if t.id in seen:
            problems.append(Problem(label, 2, f"transcript id '{t.id}' is also used by {seen[t.id]}"))
            continue
        seen[t.id] = label
        transcripts.append(t)
    return transcripts, problems
