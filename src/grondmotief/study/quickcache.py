"""The quick-start cache: validated settings, codebook, transcripts and decisions, by file bytes.

Quick commands (quote, tally, find, words) spent most of their time importing pydantic and
building its models (issue 14), although an unchanged study validates the same way every time.
So a file that validated without errors is remembered in `.grondmotief/quick/state.json` under
a hash of its exact bytes (and of the code that reads it), as the JSON dump of its model; the
next run rebuilds the same values as `records.Record`s without importing pydantic. The source
file is always read: a changed byte is a miss, and a miss runs the full validation on the bytes
just read, so a bad file fails exactly as without the cache. Files with errors are never stored.
Anything off about the cache file itself (truncated, corrupt, another version) counts as absent.
It holds no passage text: segments are offsets into the transcript read from disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from grondmotief.core.errors import GrondmotiefError, Problem

if TYPE_CHECKING:
    from grondmotief.study.codebook import Codebook, CodeSpec
    from grondmotief.study.codings import CodingStore, ReadResult
    from grondmotief.study.settings import Settings
    from grondmotief.study.transcripts import Transcript

MAGIC = b"GMQUICK1\n"
FILE = "state.json"
# The modules whose code decides what a file validates to: editing one starts the cache afresh.
_READERS = (
    "study/models.py",
    "core/fileio.py",
    "study/settings.py",
    "study/settings_model.py",
    "study/codebook.py",
    "study/codebook_model.py",
    "study/transcripts.py",
    "study/transcript_model.py",
    "study/codings.py",
    "study/codings_model.py",
    "study/decision.py",
    "study/ids.py",
    "core/lines.py",
    "study/records.py",
    "study/quickcache.py",
)


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    here = Path(__file__).resolve().parent.parent  # the grondmotief package
    h = hashlib.blake2b(digest_size=16)
    for name in _READERS:
        h.update((here / name).read_bytes())
    return h.digest()


def _key(kind: str, label: str, data: bytes) -> str:
    h = hashlib.blake2b(_code_digest(), digest_size=16)
    for part in (kind.encode(), label.encode("utf-8", "surrogateescape")):
        h.update(len(part).to_bytes(8, "little") + part)
    h.update(data)
    return h.hexdigest()


def _problems(items: Any) -> list[Problem]:
    return [Problem(str(f), None if n is None else int(n), str(m), str(s)) for f, n, m, s in items]


def _dump_problems(problems: list[Problem]) -> list[list[Any]]:
    return [[p.file, p.line, p.message, p.severity] for p in problems]


class QuickCache:
    """One study's entries, read once per run and written back once if anything changed."""

    def __init__(self, root: Path, cache_dir: Path) -> None:
        self.root = root
        self.path = cache_dir / "quick" / FILE
        self.entries: dict[str, dict[str, Any]] = self._load()
        self.changed = False

    def _load(self) -> dict[str, dict[str, Any]]:
        with contextlib.suppress(OSError, ValueError, zlib.error):
            raw = self.path.read_bytes()
            if raw.startswith(MAGIC):
                crc, _, body = raw[len(MAGIC) :].partition(b"\n")
                if int(crc) == zlib.crc32(body):
                    data = json.loads(body)
                    if isinstance(data, dict):
                        return data
        return {}

    def get(self, kind: str, label: str, data: bytes) -> Any:
        entry = self.entries.get(f"{kind}:{label}")
        if isinstance(entry, dict) and entry.get("key") == _key(kind, label, data):
            return entry.get("value")
        return None

    def put(self, kind: str, label: str, data: bytes, value: Any) -> None:
        self.entries[f"{kind}:{label}"] = {"key": _key(kind, label, data), "value": value}
        self.changed = True

    def forget(self, kind: str, label: str) -> None:
        if self.entries.pop(f"{kind}:{label}", None) is not None:
            self.changed = True

    def save(self) -> None:
        """Best effort: a read-only study or a full disk only means the next run validates again."""
        if not self.changed:
            return
        self.changed = False
        # Entries of files that are gone (a renamed transcript, a removed coder) go with them; the
        # settings entry stays, as it also stands for "no settings file: the defaults".
        self.entries = {
            k: v
            for k, v in self.entries.items()
            if k.startswith("settings:") or (self.root / k.partition(":")[2]).exists()
        }
        body = json.dumps(self.entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")  # keeps field order
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{FILE}.{os.getpid()}.tmp")
            tmp.write_bytes(MAGIC + str(zlib.crc32(body)).encode() + b"\n" + body)
            os.replace(tmp, self.path)

    # Readers: each returns what the full reader would, or None to let the caller run it. ------

    def settings(self, path: Path, label: str) -> tuple[Settings, list[Problem]]:
        from grondmotief.study.records import SettingsRecord

        data = _read(path)
        if data is None:  # no file (the defaults), or one the full reader must report on
            data = b"" if not path.exists() else None
        if data is not None:
            hit = self.get("settings", label, data)
            with contextlib.suppress(KeyError, TypeError, ValueError):
                if hit is not None:
                    return cast("Settings", SettingsRecord.from_json(hit)), []
        from grondmotief.study.settings import load_settings

        settings, problems = load_settings(path.parent, data)
        if data is not None and not problems:
            self.put("settings", label, data, settings.model_dump(mode="json"))
        return settings, problems

    def codebook(self, path: Path, label: str) -> Codebook:
        from grondmotief.study.codebook import load_codebook

        data = _read(path)
        if data is None:
            return load_codebook(path, label)
        hit = self.get("codebook", label, data)
        if hit is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return _codebook_from(hit, path, label)
        codebook = load_codebook(path, label, data=data)
        self.put("codebook", label, data, _codebook_value(codebook))
        return codebook

    def transcript(self, path: Path, label: str, max_bytes: int | None) -> tuple[Transcript | None, list[Problem]]:
        from grondmotief.study.transcripts import read_transcript, transcript_from_bytes

        data = _read(path, max_bytes)
        if data is None:
            return read_transcript(path, label, max_bytes)
        hit = self.get("transcript", label, data)
        if hit is not None:
            with contextlib.suppress(GrondmotiefError, KeyError, TypeError, ValueError, IndexError):
                return _transcript_from(hit, data, path, label)
        t, problems = transcript_from_bytes(data, path, label)
        if t is not None and not any(p.severity == "error" for p in problems):
            self.put("transcript", label, data, _transcript_value(t, problems))
        return t, problems

    def codings(self, store: CodingStore) -> ReadResult:
        data = _read(store.path, store.max_bytes)
        if data is None:
            return store.read()
        hit = self.get("codings", store.label, data)
        if hit is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return _codings_from(hit)
        result = store.parse(data)
        if not any(p.severity == "error" for p in result.problems):
            self.put("codings", store.label, data, _codings_value(result))
        return result


def _read(path: Path, max_bytes: int | None = None) -> bytes | None:
    """The file's bytes, or None when the full reader must handle it (missing, too big, a folder)."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


# Codebook: the file's model dump, plus what the linter derived for each code. -----------------


def _codebook_value(cb: Codebook) -> dict[str, Any]:
    codes = [[c.id, c.label, c.group, c.parent, c.line, c.depth, c.children] for c in cb.codes.values()]
    return {"data": cb.data.model_dump(mode="json"), "codes": codes, "order": cb.order}


def _codebook_from(value: dict[str, Any], path: Path, label: str) -> Codebook:
    from grondmotief.study.codebook import Code, Codebook
    from grondmotief.study.records import CodebookFileRecord

    data = CodebookFileRecord.from_json(value["data"])
    specs: list[Any] = []

    def walk(items: list[Any]) -> None:
        for spec in items:
            specs.append(spec)
            walk(spec.children)

    walk(data.codes)
    codes: dict[str, Code] = {}
    for spec, (cid, lbl, group, parent, line, depth, children) in zip(specs, value["codes"], strict=True):
        if spec.id != cid:
            raise ValueError("codes out of order")
        codes[cid] = Code(cid, lbl, group, parent, cast("CodeSpec", spec), line, depth, list(children))
    if list(value["order"]) != list(codes):
        raise ValueError("order")
    return Codebook(path, label, data, codes, list(value["order"]))


# Transcripts: front matter and the offsets of each paragraph; the text comes from the file. ---


def _transcript_value(t: Transcript, problems: list[Problem]) -> dict[str, Any]:
    return {
        "meta": t.meta.model_dump(mode="json"),
        "body_line": t.body_line,
        "body_len": len(t.body),
        "segments": [[s.n, s.label, s.role, s.start, len(s.text), s.line] for s in t.segments],
        "meta_lines": t.meta_lines,
        "problems": _dump_problems(problems),
    }


def _transcript_from(value: dict[str, Any], data: bytes, path: Path, label: str) -> tuple[Transcript, list[Problem]]:
    from grondmotief.core.fileio import decode_text
    from grondmotief.study.records import FrontMatterRecord
    from grondmotief.study.transcripts import ENCODING_HINT, Segment, Transcript

    text = decode_text(data, label, hint=ENCODING_HINT)
    body = text[len(text) - int(value["body_len"]) :] if value["body_len"] else ""
    meta = FrontMatterRecord.from_json(value["meta"])
    t = Transcript(path, meta, body, int(value["body_line"]), meta_lines=dict(value["meta_lines"]))
    for n, lbl, role, start, length, line in value["segments"]:
        if start + length > len(body):
            raise ValueError("segment beyond the body")
        t.segments.append(Segment(meta.id, n, lbl, role, body[start : start + length], start, line))
    return t, _problems(value["problems"])


# Codings: the decisions as validated, with their line numbers and any warnings. -------------


def _codings_value(result: ReadResult) -> dict[str, Any]:
    return {
        "decisions": [d.model_dump(mode="json") for d in result.decisions],
        "lines": [[s, c, n] for (s, c), n in result.lines.items()],
        "problems": _dump_problems(result.problems),
        "truncated_tail": result.truncated_tail,
        "duplicates": [[n, d.model_dump(mode="json")] for n, d in result.duplicates or []],
    }


def _codings_from(value: dict[str, Any]) -> ReadResult:
    from grondmotief.study.codings import ReadResult
    from grondmotief.study.records import DecisionRecord

    decisions = [DecisionRecord.from_json(d) for d in value["decisions"]]
    lines = {(str(s), str(c)): int(n) for s, c, n in value["lines"]}
    duplicates = [(int(n), DecisionRecord.from_json(d)) for n, d in value["duplicates"]]
    tail = value["truncated_tail"]
    return ReadResult(decisions, lines, _problems(value["problems"]), tail, [], duplicates)
