"""One cache file per transcript file: .grondmotief/suggest/<name>.bin.

It holds three things, each valid under its own key, so a change invalidates only what it must:
- `index`: the transcript's coded segments (number, speaker, offsets), valid for the exact
  bytes of the file and the parser's code. A warm run rebuilds segments from it without
  parsing YAML front matter.
- `parsed`: tokens and lemmas per segment (see parse.py), valid for the pipeline version;
  entries are per segment text, so an edited transcript re-parses only changed paragraphs.
- `results`: every code's score and evidence per segment text, valid for the codebook's rules
  and the trained models.
One file rather than three: a cold run writes each transcript's cache once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core import cachefile as cache
from grondmotief.study.transcripts import Segment

if TYPE_CHECKING:
    from grondmotief.suggest.parse import Parsed

FORMAT = 3


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Segmentation depends on the transcript parser's code: a new version re-reads every file."""
    import grondmotief.core.fileio as fio
    import grondmotief.study.transcripts as tr

    return cache.digest(Path(tr.__file__).read_bytes(), Path(fio.__file__).read_bytes())


def file_fingerprint(data: bytes, coded_roles: list[str], max_bytes: int) -> str:
    """The file's bytes under the settings and parser code that segment it: one hash per file."""
    h = hashlib.sha256(_salt(tuple(coded_roles), max_bytes).encode("ascii"))
    h.update(data)
    return h.hexdigest()[:32]


@lru_cache(maxsize=8)
def _salt(coded_roles: tuple[str, ...], max_bytes: int) -> str:
    return cache.digest(list(coded_roles), max_bytes, parser_fingerprint())


@dataclass
class TranscriptCache:
    path: Path
    file: str | None = None
    index: dict[str, Any] | None = None
    results_key: str | None = None
    results_raw: bytes = b""
    pipeline: str | None = None
    parsed_head: dict[str, Any] | None = None  # Parsed.to_bytes's header; its payload is parsed_raw
    parsed_raw: bytes = b""

    @classmethod
    def load(cls, path: Path, writer: cache.Writer | None = None) -> TranscriptCache:
        got = cache.read(path) if writer is None else writer.read(path)
        if got is None:
            return cls(path)
        header, payload = got
        try:
            if header.get("format") != FORMAT:
                return cls(path)
            r_len, p_len = int(header["results_len"]), int(header["parsed_len"])
            if r_len + p_len != len(payload):
                return cls(path)
            return cls(
                path,
                header.get("file"),
                header.get("index"),
                header.get("key"),
                payload[:r_len],
                header.get("pipeline"),
                header.get("parsed"),
                payload[r_len:],
            )
        except (KeyError, TypeError, ValueError):
            return cls(path)

    def save(self, writer: cache.Writer | None = None) -> None:
        header = {
            "format": FORMAT,
            "file": self.file,
            "index": self.index,
            "key": self.results_key,
            "pipeline": self.pipeline,
            "parsed": self.parsed_head,
            "results_len": len(self.results_raw),
            "parsed_len": len(self.parsed_raw),
        }
        if writer is None:
            cache.write(self.path, header, self.results_raw + self.parsed_raw)
        else:
            writer.write(self.path, header, self.results_raw + self.parsed_raw)

    # Segments ------------------------------------------------------------------
    def segments(self, file_fp: str, data: bytes) -> list[Segment] | None:
        """The coded segments rebuilt from the index, if it was made from these very bytes."""
        if self.file != file_fp or not isinstance(self.index, dict):
            return None
        try:
            text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
            at = int(self.index["body_at"])
            tid = str(self.index["id"])
            out = []
            for n, label, role, start, length, line in self.index["segs"]:
                a = at + int(start)
                seg_text = text[a : a + int(length)]
                if len(seg_text) != int(length):
                    return None
                out.append(Segment(tid, int(n), label, role, seg_text, int(start), int(line)))
            return out
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None

    def set_index(self, file_fp: str, tid: str, body_at: int, segs: list[Segment], keys: list[str]) -> None:
        self.file = file_fp
        self.index = {
            "id": tid,
            "body_at": body_at,
            "segs": [[s.n, s.label, s.role, s.start, len(s.text), s.line] for s in segs],
            "keys": keys,
        }

    def segment_keys(self, n: int) -> list[str] | None:
        """The segments' keys as stored with the index (a warm run need not hash the texts)."""
        keys = self.index.get("keys") if isinstance(self.index, dict) else None
        if not isinstance(keys, list) or len(keys) != n or not all(isinstance(k, str) for k in keys):
            return None
        return keys

    @property
    def transcript_id(self) -> str | None:
        return None if not isinstance(self.index, dict) else str(self.index.get("id"))

    # Results -------------------------------------------------------------------
    def results(self, key: str) -> dict[str, list[Any]]:
        if self.results_key != key or not self.results_raw:
            return {}
        try:
            loaded = json.loads(self.results_raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def set_results(self, key: str, entries: dict[str, list[Any]]) -> None:
        self.results_key = key
        self.results_raw = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    # Parsed --------------------------------------------------------------------
    def parsed(self, pipeline_version: str, *, lists: bool = False) -> Parsed | None:
        """The cached tokens; `lists`: as Python arrays, without numpy (suggest/parse_lists.py)."""
        if self.pipeline != pipeline_version or not isinstance(self.parsed_head, dict):
            return None
        try:
            if lists:
                from grondmotief.suggest import parse_lists

                if parse_lists.USABLE:
                    return parse_lists.from_bytes(self.parsed_head, self.parsed_raw)  # type: ignore[return-value]
            from grondmotief.suggest.parse import Parsed

            return Parsed.from_bytes(self.parsed_head, self.parsed_raw)
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None

    def set_parsed(self, pipeline_version: str, parsed: Parsed) -> None:
        self.pipeline = pipeline_version
        self.parsed_head, self.parsed_raw = parsed.to_bytes()
