"""Reading and writing study files safely: strict UTF-8 in, atomic writes out."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from grondmotief.errors import GrondmotiefError, Problem

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


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that remembers the line of every mapping key and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: a list or mapping cannot name a key
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain word, not a list or mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        lines[key] = key_node.start_mark.line + 1
    return LineDict(result, lines, node.start_mark.line + 1)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    items = [loader.construct_object(child, deep=True) for child in node.value]
    return LineList(items, [child.start_mark.line + 1 for child in node.value], node.start_mark.line + 1)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)  # type: ignore[no-any-return]
    except ValueError:  # Python refuses to parse an integer of more than 4,300 digits
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(node.value)} digits is too long to be a value", node.start_mark
        ) from None


_SURROGATE = re.compile("[\ud800-\udfff]")
# The reader refuses raw control characters, but a double-quoted "\e[31m" or "\x1b" makes one; in a
# title or attribute it would reach the terminal through `tally --by` and `crosstab` legends.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    if _SURROGATE.search(value):  # "\udc80": not a character; it would crash every later write
        raise yaml.constructor.ConstructorError(
            None, None, "an escape such as \\udc80 (half of a character) is not text", node.start_mark
        )
    bad = _CONTROL.search(value)
    if bad:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"control character U+{ord(bad.group()):04X} in a value; remove it (it can garble a terminal)",
            node.start_mark,
        )
    return value  # type: ignore[no-any-return]


class LineDict(dict):  # type: ignore[type-arg]
    def __init__(self, data: dict[Any, Any], lines: dict[Any, int], line: int) -> None:
        super().__init__(data)
        self.key_lines = lines
        self.line = line


class LineList(list):  # type: ignore[type-arg]
    def __init__(self, data: list[Any], lines: list[int], line: int) -> None:
        super().__init__(data)
        self.item_lines = lines
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
# Dates stay strings so that front matter round-trips exactly; models parse them.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# Study YAML files use no aliases; these budgets only stop hostile ones ("billion laughs").
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add to a document once expanded
MAX_YAML_DEPTH = 64  # nesting of lists and mappings; a codebook needs about 2 per level of codes


def check_yaml_budget(text: str, label: str, line_offset: int = 0) -> None:
    """Refuse YAML whose aliases expand beyond the budget, refer to themselves, or nest too deep.

    One pass over the parser's events, so linear in the file whatever its aliases: each anchor's
    expanded size is computed once, when its node ends, and an alias adds that size. Call this
    before handing text to any other YAML loader (ruamel.yaml for in-place edits); `load_yaml`
    calls it itself. Raises GrondmotiefError naming file and line.
    """
    loader = _LineLoader(text)
    try:
        _check_events(loader, label, line_offset)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, label, line_offset) from None
    finally:
        loader.dispose()


def _check_events(loader: Any, label: str, line_offset: int) -> None:
    sizes: dict[str, int] = {}  # anchor → nodes of its expanded value
    stack: list[list[Any]] = []  # open collections: [anchor, expanded nodes so far]
    open_anchors: set[str] = set()
    added = 0  # nodes the aliases added so far

    def refuse(event: Any, message: str) -> None:
        raise GrondmotiefError(
            "invalid YAML", [Problem(label, event.start_mark.line + 1 + line_offset, f"YAML: {message}")]
        )

    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_YAML_DEPTH:
                refuse(event, f"lists and mappings nest deeper than {MAX_YAML_DEPTH} levels")
            stack.append([event.anchor, 1])
            if event.anchor:
                open_anchors.add(event.anchor)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor:
                open_anchors.discard(anchor)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
            open_anchors.discard(anchor)  # `&a [&a x, *a]`: the name now means the finished scalar
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                refuse(event, f"the alias *{event.anchor} refers to the value it is part of (a loop)")
            anchor, size = None, sizes.get(event.anchor or "", 1)  # an unknown anchor: the loader reports it
            added += size - 1
            if added > MAX_ALIAS_NODES:
                refuse(
                    event,
                    f"aliases (*{event.anchor}) expand to more than {MAX_ALIAS_NODES:,} values; "
                    "write the values out instead of nesting aliases",
                )
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size


def _yaml_error(exc: yaml.YAMLError, text: str, label: str, line_offset: int) -> GrondmotiefError:
    """A parser error as `label:LINE: YAML …`, with what a researcher should check for the common ones."""
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: the reader has no line, only a position
        line = text.count("\n", 0, exc.position) + 1 + line_offset if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        message = (
            f"YAML: control character U+{char:04X} is not allowed in a YAML file; remove it "
            "(in a double-quoted value it can be written as an escape such as \\t)"
        )
        return GrondmotiefError("invalid YAML", [Problem(label, line, message)])
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else None
        what = exc.problem or "invalid YAML"
        if what == "second occurrence" and exc.context:  # the composer puts the real problem in the context
            what = exc.context.split(";")[0] + " (an &anchor name may be used once)"
        kind = "YAML" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax"
        return GrondmotiefError("invalid YAML", [Problem(label, line, f"{kind}: {what}{_yaml_hint(what)}")])
    return GrondmotiefError("invalid YAML", [Problem(label, None, "YAML: the file cannot be read as YAML")])


def _yaml_hint(problem: str) -> str:
    if "expected '-' indicator" in problem or "expected <block end>" in problem:
        return "; check the indentation of this line and the one above (list items line up under each other)"
    if "mapping values are not allowed" in problem:
        return "; a ':' inside an unquoted value starts a new key: put the value in quotes"
    if "could not find expected ':'" in problem:
        return "; a key on this line or the one above has no ':', or a quoted value is not closed"
    if "found character '\\t'" in problem:
        return "; indent with spaces, not tabs"
    if "cannot start any token" in problem:
        return "; a value that starts with ` @ % or a tab must be put in quotes"
    if "unexpected end of stream" in problem:
        return "; a quote opened on or above this line is never closed"
    if "expected alphabetic or numeric character" in problem:  # `*woord*` or `&x!` read as an alias or anchor
        return "; a value that starts with * or & must be put in quotes"
    if "found undefined alias" in problem:
        return "; a '*' at the start of a value refers to an anchor: put the value in quotes"
    return ""


def load_yaml(text: str, label: str, line_offset: int = 0) -> Any:
    """Parse YAML safely, keeping line numbers; errors name file and line."""
    check_yaml_budget(text, label, line_offset)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, label, line_offset) from None
    except RecursionError:  # cannot happen within MAX_YAML_DEPTH; kept so it can never be a traceback
        raise GrondmotiefError("invalid YAML", [Problem(label, None, "YAML: nested too deeply")]) from None


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The best line for a pydantic error location inside LineDict/LineList data."""
    best: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            best = node.key_lines.get(part, best)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_lines[part]
            node = node[part]
        else:
            break
    return best


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def iter_files(folder: Path, pattern: str) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))
