"""Reading and writing study files safely: strict UTF-8 in, atomic writes out."""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grondmotief.core.errors import GrondmotiefError
from grondmotief.core.lines import LineDict, LineList, line_of  # noqa: F401 - readers import them from here

MAX_TEXT_BYTES = 20 * 1024 * 1024


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, fsync, rename: readers see old or new, never half."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _file_mode(path: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0666 minus umask, not mkstemp's 0600."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def decode_text(data: bytes, label: str, *, hint: str = "") -> str:
    """Strict UTF-8 with BOM and line endings normalised; a clear error otherwise.

    `label` names the file in messages; the content itself never appears in them.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise GrondmotiefError(
            f"{label}:1: the file is UTF-16, not UTF-8; `grondmotief import --encoding utf-16 FILE` converts it."
        )
    if b"\x00" in data:
        raise GrondmotiefError(f"{label}:1: this looks like a binary file, not text.")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = guess_encoding(data)
        if hint and guess is None:
            hint += " (cp1252 does not fit this file either: name its real encoding, e.g. cp850 or mac-roman)"
        raise GrondmotiefError(
            f"{label}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})."
            + (f" {hint.format(file=label, encoding=guess or 'cp1252')}" if hint else "")
        ) from None
    return normalise_newlines(text)


def guess_encoding(data: bytes) -> str | None:
    """The Windows code page (cp1252: what Word and Notepad write in Western Europe) if it decodes."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252"


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def emptiness(data: bytes | str) -> str | None:
    """'the file is empty' (0 bytes, or a byte-order mark only) or 'the file holds only blank
    lines'; None when it has content. Said first, so an empty file never reads as a parse error."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw:
        return "the file is empty"
    if not raw.strip():
        return "the file holds only blank lines"
    return None


def read_text(path: Path, label: str | None = None, *, hint: str = "", max_bytes: int = MAX_TEXT_BYTES) -> str:
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise GrondmotiefError(
                f"{label}: file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.0f} MB"
                " (split it, or raise `limits.max_file_mb` in grondmotief.yaml)."
            )
        data = path.read_bytes()
    except IsADirectoryError:
        raise GrondmotiefError(f"{label}: is a folder, expected a file.") from None
    except FileNotFoundError:
        raise GrondmotiefError(f"{label}: file not found.") from None
    except PermissionError:
        raise GrondmotiefError(f"{label}: permission denied.") from None
    return decode_text(data, label, hint=hint)


def load_yaml(text: str, label: str, line_offset: int = 0) -> Any:
    """Parse YAML safely, keeping line numbers; errors name file and line (yamlio.py)."""
    from grondmotief.core.yamlio import load_yaml as load

    return load(text, label, line_offset)


def check_yaml_budget(text: str, label: str, line_offset: int = 0) -> None:
    """Refuse YAML whose aliases expand beyond the budget or nest too deep (yamlio.py)."""
    from grondmotief.core.yamlio import check_yaml_budget as check

    check(text, label, line_offset)


def dump_yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def iter_files(folder: Path, pattern: str) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))
