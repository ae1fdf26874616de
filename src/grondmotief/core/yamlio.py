"""YAML parsing for study files: safe, with the line of every key and item, errors with file:line.

Imported on first use through `fileio.load_yaml`: PyYAML is not needed on the quick path, where
the quick-start cache already holds the validated values (issue 14).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from grondmotief.core.errors import GrondmotiefError, Problem
from grondmotief.core.lines import LineDict, LineList


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
