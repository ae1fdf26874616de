"""Edit a codebook YAML file in place: change lines of the text, never dump a model.

A researcher's codebook carries comments, section rulers, quoting and an order that mean
something to them; re-serialising a parsed model would lose all of that. So every edit here
locates the code's lines with the YAML composer (which knows where each node starts and ends),
splices new lines in or old lines out, and then proves the result: the edited text must lint
without errors and parse to exactly the codebook the edit intended (`verify`). Functions named
`*_text` are pure (text in, text out); `add_code` reads, edits, checks and writes atomically.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grondmotief.core.errors import CodebookError, GrondmotiefError
from grondmotief.core.fileio import atomic_write_text, read_text
from grondmotief.study.codebook import CODE_ID, Codebook, CodebookFile, CodeSpec, lint_codebook_text


@dataclass
class Item:
    """Where one code sits in the file (0-based line indexes, `last` inclusive)."""

    id: str
    parent: str | None
    node: yaml.MappingNode
    first: int  # the line of its `-`
    last: int  # its last line, inner trailing comments included
    dash: int  # column of the `-`
    key_col: int  # column its keys start at
    flow: bool  # written as `- {id: x, label: y}`
    children: list[str] = field(default_factory=list)


@dataclass
class Layout:
    lines: list[str]  # the text split with line ends kept
    items: dict[str, Item]
    order: list[str]
    codes_key_col: int  # column of `codes:`
    seq_offset: int  # how far this file indents list items under their key (`codes:` → `  - id`)

    def value(self, item: Item, key: str) -> yaml.Node | None:
        for k, v in item.node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
        return None


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def _last_line(node: yaml.Node, lines: list[str]) -> int:
    """The last line that holds any of the node's own text."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _last_line(node.value[-1][1], lines)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _last_line(node.value[-1], lines)
    mark = node.end_mark
    line = mark.line if mark.column > 0 else mark.line - 1
    line = min(line, len(lines) - 1)
    # A block scalar (`>-`, `|`) ends after the blank lines that follow it: those are not its text.
    while line > node.start_mark.line and not lines[line].strip():
        line -= 1
    return max(line, node.start_mark.line)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def layout(text: str, label: str) -> Layout:
    """Locate every code's lines. The text must already be a valid codebook."""
    lines = _lines(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # pure-Python marks count characters
    except yaml.YAMLError:
        raise GrondmotiefError(f"{label}: not valid YAML; `grondmotief codebook lint` says where") from None
    if not isinstance(root, yaml.MappingNode):
        raise GrondmotiefError(f"{label}: a codebook is a YAML mapping")
    codes_key = codes = None
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "codes":
            codes_key, codes = k, v
    if codes_key is None or not isinstance(codes, yaml.SequenceNode):
        raise GrondmotiefError(f"{label}: the codebook has no list of codes")
    if codes.flow_style:
        raise GrondmotiefError(f"{label}:{codes.start_mark.line + 1}: write `codes:` as a block list to edit it")
    out = Layout(lines, {}, [], codes_key.start_mark.column, 2)
    first_item = True

    def walk(seq: yaml.SequenceNode, parent: Item | None) -> None:
        nonlocal first_item
        for node in seq.value:
            if not isinstance(node, yaml.MappingNode):
                raise GrondmotiefError(f"{label}:{node.start_mark.line + 1}: a code must be a mapping")
            item = _item(node, parent, lines, label)
            if first_item:
                out.seq_offset = max(item.dash - out.codes_key_col, 0)
                first_item = False
            out.items[item.id] = item
            out.order.append(item.id)
            if parent is not None:
                parent.children.append(item.id)
            kids = out.value(item, "children")
            if isinstance(kids, yaml.SequenceNode):
                walk(kids, item)

    walk(codes, None)
    return out


def _item(node: yaml.MappingNode, parent: Item | None, lines: list[str], label: str) -> Item:
    code_id = ""
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode):
            code_id = v.value
    start = node.start_mark
    # The `-` is before the first key on its line, or alone on an earlier line (`-\n  id: x`).
    line, col = start.line, start.column
    prefix = lines[line][:col]
    while not prefix.strip() and line > 0:
        line -= 1
        prefix = lines[line].rstrip("\n")
    dash = prefix.rstrip().rfind("-")
    if dash < 0 or prefix.rstrip()[dash:] != "-":
        raise GrondmotiefError(f"{label}:{start.line + 1}: cannot find the `-` of code '{code_id}'")
    last = _last_line(node, lines)
    # Comments indented under the code that follow its last value belong to it.
    nxt = last + 1
    while nxt < len(lines):
        stripped = lines[nxt].strip()
        if stripped.startswith("#") and _indent(lines[nxt]) > dash:
            last = nxt
        elif stripped:
            break
        nxt += 1
    key_col = col if not node.flow_style else dash + 2
    return Item(code_id, parent.id if parent else None, node, line, last, dash, key_col, bool(node.flow_style))


# --------------------------------------------------------------------------- rendering


def scalar(value: Any) -> str:
    """One YAML scalar, quoted only when it needs to be (as safe_dump would)."""
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**6)
    return dumped.strip()[1:-1]


def render_item(fields: dict[str, Any], dash: int, key_col: int, *, flow: bool = False) -> list[str]:
    """A code as lines of a block list item at the given columns."""
    if flow:
        body = yaml.safe_dump(fields, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6)
        return [" " * dash + "- " + body.strip() + "\n"]
    body = yaml.safe_dump(fields, default_flow_style=False, allow_unicode=True, sort_keys=False, width=100)
    rows = body.splitlines()
    lead = " " * dash + "-" + " " * max(key_col - dash - 1, 1)
    pad = " " * len(lead)
    return [(lead if i == 0 else pad) + row + "\n" for i, row in enumerate(rows)]


def reindent(lines: Sequence[str], delta: int) -> list[str]:
    """Shift a block of lines right (delta > 0) or left; blank lines stay blank."""
    out = []
    for line in lines:
        if not line.strip():
            out.append(line)
        elif delta >= 0:
            out.append(" " * delta + line)
        else:
            if _indent(line) < -delta:
                raise GrondmotiefError("internal: cannot shift a line left past its indentation")
            out.append(line[-delta:])
    return out


# --------------------------------------------------------------------------- checking


def load_text(text: str, path: Path, label: str) -> Codebook:
    codebook, problems = lint_codebook_text(text, path, label)
    errors = [p for p in problems if p.severity == "error"]
    if codebook is None or errors:
        raise CodebookError(
            f"the codebook {label} has {len(errors) or 1} problem(s); `grondmotief codebook lint` lists them",
            errors or problems,
        )
    return codebook


def verify(text: str, expected: CodebookFile, path: Path, label: str) -> Codebook:
    """The edited text must lint and mean exactly the intended codebook; else nothing is written."""
    try:
        got = load_text(text, path, label)
    except CodebookError as exc:
        raise CodebookError(
            f"editing {label} would break it, so nothing was changed: {exc.message}", exc.problems
        ) from None
    if got.data.model_dump() != expected.model_dump():
        raise CodebookError(
            f"editing {label} in place did not give the intended codebook (an unusual layout?), so nothing was "
            "changed; make the change by hand"
        )
    return got


def find_spec(specs: list[CodeSpec], code_id: str) -> tuple[list[CodeSpec], int]:
    """The list holding `code_id` and its index there."""
    for i, spec in enumerate(specs):
        if spec.id == code_id:
            return specs, i
        try:
            return find_spec(spec.children, code_id)
        except KeyError:
            pass
    raise KeyError(code_id)


# --------------------------------------------------------------------------- adding a code


def check_new_id(codebook: Codebook, code_id: str) -> None:
    if not CODE_ID.fullmatch(code_id):
        raise GrondmotiefError(
            f"code id '{code_id}' must be lower-case ASCII letters, digits and hyphens (e.g. 'wachtlijst-zorg')"
        )
    if code_id in codebook.codes:
        raise GrondmotiefError(f"the codebook {codebook.label} already has a code '{code_id}'")


def new_code_fields(
    code_id: str,
    label: str,
    group: str | None,
    *,
    definition: str = "",
    keywords: Iterable[str] = (),
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": code_id}
    if group is not None:
        fields["group"] = group
    fields["label"] = label
    if definition:
        fields["definition"] = definition
    kws = list(keywords)
    if kws:
        fields["keywords"] = kws
    if attributes:
        fields["attributes"] = dict(attributes)
    return fields


def insert_item_text(
    text: str, lay: Layout, fields: dict[str, Any], parent: str | None, group: str | None, label: str
) -> str:
    """Insert a rendered code: after the parent's last child, else after the group's last top-level code."""
    lines = list(lay.lines)
    if parent is not None:
        p = lay.items[parent]
        if p.children:
            sib = lay.items[p.children[-1]]
            new = render_item(fields, sib.dash, sib.key_col, flow=sib.flow)
            return "".join(lines[: sib.last + 1] + new + lines[sib.last + 1 :])
        if p.flow:
            raise GrondmotiefError(
                f"{label}:{p.first + 1}: code '{parent}' is written on one line ({{...}}); "
                "write it as a block to give it children"
            )
        if lay.value(p, "children") is not None:
            raise GrondmotiefError(f"{label}:{p.first + 1}: write the children of '{parent}' as a block list")
        dash = p.key_col + lay.seq_offset
        new = [" " * p.key_col + "children:\n", *render_item(fields, dash, dash + 2)]
        return "".join(lines[: p.last + 1] + new + lines[p.last + 1 :])
    tops = [c for c in lay.order if lay.items[c].parent is None]
    in_group = [c for c in tops if _group_of(lay, lay.items[c]) == group]
    anchor = lay.items[(in_group or tops)[-1]]
    new = render_item(fields, anchor.dash, anchor.key_col, flow=anchor.flow)
    if _blank_before(lines, anchor.first):  # top-level codes set apart by blank lines: keep it so
        new.insert(0, "\n")
    return "".join(lines[: anchor.last + 1] + new + lines[anchor.last + 1 :])


def _blank_before(lines: list[str], first: int) -> bool:
    i = first - 1
    while i >= 0 and lines[i].lstrip().startswith("#"):
        i -= 1
    return i >= 0 and not lines[i].strip()


def _group_of(lay: Layout, item: Item) -> str | None:
    node = lay.value(item, "group")
    return node.value if isinstance(node, yaml.ScalarNode) else None


def add_code_text(
    text: str,
    path: Path,
    label: str,
    group: str | None,
    code_id: str,
    code_label: str,
    parent: str | None = None,
    *,
    definition: str = "",
    keywords: Iterable[str] = (),
    attributes: dict[str, Any] | None = None,
) -> tuple[str, Codebook]:
    """The codebook text with one more code, and the codebook it parses to (checked)."""
    old = load_text(text, path, label)
    check_new_id(old, code_id)
    if not code_label.strip():
        raise GrondmotiefError(f"code '{code_id}' needs a label")
    if parent is not None:
        p = old.get(parent)
        if group is not None and group != p.group:
            raise GrondmotiefError(
                f"code '{code_id}' cannot be in group '{group}' under '{parent}', which is in group '{p.group}'"
            )
        group_field = None
    else:
        if group is None or group not in old.groups:
            known = ", ".join(old.groups) or "none defined"
            raise GrondmotiefError(f"unknown group '{group}' (codebook {label} has: {known})")
        group_field = group
    fields = new_code_fields(
        code_id, code_label, group_field, definition=definition, keywords=keywords, attributes=attributes
    )
    expected = copy.deepcopy(old.data)
    spec = CodeSpec.model_validate(fields)
    if parent is not None:
        siblings, i = find_spec(expected.codes, parent)
        siblings[i].children.append(spec)
    else:
        tops = [s for s in expected.codes if s.group == group]
        at = expected.codes.index(tops[-1]) + 1 if tops else len(expected.codes)
        expected.codes.insert(at, spec)
    lay = layout(text, label)
    new_text = insert_item_text(text, lay, fields, parent, group, label)
    return new_text, verify(new_text, expected, path, label)


def add_code(
    codebook_path: Path,
    group: str | None,
    code_id: str,
    label: str,
    parent: str | None = None,
    *,
    definition: str = "",
    keywords: Iterable[str] = (),
    attributes: dict[str, Any] | None = None,
    file_label: str | None = None,
) -> Codebook:
    """Append a new code to `group` (or under `parent`) in the codebook file, in place.

    Comments, order and quoting of everything else are kept byte for byte. A top-level code goes
    after the last top-level code of its group; a child after its parent's last child. The edited
    text is re-loaded and compared with the intended codebook before it replaces the file
    (atomically), so a failure leaves the file as it was. Returns the new codebook.
    Raises GrondmotiefError (unknown group or parent, id taken or malformed, codebook broken).
    """
    codebook_path = Path(codebook_path)
    shown = file_label or str(codebook_path)
    text = read_text(codebook_path, shown)
    new_text, codebook = add_code_text(
        text,
        codebook_path,
        shown,
        group,
        code_id,
        label,
        parent,
        definition=definition,
        keywords=keywords,
        attributes=attributes,
    )
    if read_text(codebook_path, shown) != text:
        raise GrondmotiefError(f"{shown} changed while it was being edited; nothing was written, try again")
    atomic_write_text(codebook_path, new_text)
    return codebook


# --------------------------------------------------------------------------- refactoring edits
# Each takes and returns the whole text and re-locates the codes itself, so edits compose.


def _splice(lines: list[str], start: int, end: int, new: Sequence[str]) -> str:
    """Replace lines[start:end] (end exclusive) with `new`."""
    return "".join([*lines[:start], *new, *lines[end:]])


def _flow_dict(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _rewrite_flow(lay: Layout, item: Item, data: dict[str, Any]) -> str:
    """A one-line code `- {id: x, ...}` written again with new values (it holds no comments)."""
    return _splice(lay.lines, item.first, item.last + 1, render_item(data, item.dash, item.key_col, flow=True))


def rename_text(text: str, label: str, old: str, new: str) -> str:
    lay = layout(text, label)
    item = lay.items[old]
    node = lay.value(item, "id")
    if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
        raise GrondmotiefError(f"{label}:{item.first + 1}: the id of '{old}' must be on one line to rename it")
    line = lay.lines[node.start_mark.line]
    new_line = line[: node.start_mark.column] + scalar(new) + line[node.end_mark.column :]
    lines = list(lay.lines)
    lines[node.start_mark.line] = new_line
    return "".join(lines)


def cut_text(text: str, label: str, code_id: str) -> tuple[str, list[str], int]:
    """Remove a code's lines; returns the text, the removed lines and the column of their `-`."""
    lay = layout(text, label)
    item = lay.items[code_id]
    if item.parent is not None and lay.items[item.parent].flow:
        raise GrondmotiefError(f"{label}:{item.first + 1}: '{item.parent}' is written on one line; write it as a block")
    block = lay.lines[item.first : item.last + 1]
    lines = lay.lines
    drop = set(range(item.first, item.last + 1))
    if (
        item.first > 0
        and not lines[item.first - 1].strip()
        and (item.last + 1 >= len(lines) or not lines[item.last + 1].strip())
    ):
        drop.add(item.first - 1)  # codes set apart by blank lines: do not leave two
    if item.parent is not None and lay.items[item.parent].children == [code_id]:
        # The parent's only child leaves: an empty `children:` would read as null, so it goes too.
        parent = lay.items[item.parent]
        key = next(k for k, _ in parent.node.value if isinstance(k, yaml.ScalarNode) and k.value == "children")
        if lines[key.start_mark.line].strip() != "children:":
            raise GrondmotiefError(
                f"{label}:{key.start_mark.line + 1}: write `children:` of '{parent.id}' on a line of its own"
            )
        drop.add(key.start_mark.line)
    return "".join(line for i, line in enumerate(lines) if i not in drop), block, item.dash


def insert_block_text(text: str, label: str, block: list[str], dash: int, parent: str | None, group: str | None) -> str:
    """Insert lines cut by `cut_text` (re-indented) where `insert_item_text` would put a new code."""
    lay = layout(text, label)
    lines = list(lay.lines)
    if parent is not None:
        p = lay.items[parent]
        if p.children:
            sib = lay.items[p.children[-1]]
            return _splice(lines, sib.last + 1, sib.last + 1, reindent(block, sib.dash - dash))
        if p.flow:
            raise GrondmotiefError(
                f"{label}:{p.first + 1}: code '{parent}' is written on one line ({{...}}); write it as a block"
            )
        if lay.value(p, "children") is not None:
            raise GrondmotiefError(f"{label}:{p.first + 1}: write the children of '{parent}' as a block list")
        to = p.key_col + lay.seq_offset
        new = [" " * p.key_col + "children:\n", *reindent(block, to - dash)]
        return _splice(lines, p.last + 1, p.last + 1, new)
    tops = [c for c in lay.order if lay.items[c].parent is None]
    in_group = [c for c in tops if _group_of(lay, lay.items[c]) == group]
    anchor = lay.items[(in_group or tops)[-1]]
    new = reindent(block, anchor.dash - dash)
    if _blank_before(lines, anchor.first):
        new.insert(0, "\n")
    return _splice(lines, anchor.last + 1, anchor.last + 1, new)


def set_group_text(text: str, label: str, code_id: str, group: str | None) -> str:
    """Give a code an explicit `group:` (or remove it, `None`), keeping its other lines."""
    lay = layout(text, label)
    item = lay.items[code_id]
    if item.flow:
        data = _flow_dict(item.node)
        data = {k: v for k, v in data.items() if k != "group"}
        if group is not None:
            data = {"id": data.pop("id"), "group": group, **data}
        return _rewrite_flow(lay, item, data)
    node = lay.value(item, "group")
    lines = list(lay.lines)
    if node is not None:
        key_line = node.start_mark.line
        if node.end_mark.line != key_line or not lines[key_line].lstrip().startswith("group:"):
            raise GrondmotiefError(f"{label}:{key_line + 1}: write `group:` of '{code_id}' on a line of its own")
        new = [] if group is None else [" " * item.key_col + "group: " + scalar(group) + "\n"]
        return _splice(lines, key_line, key_line + 1, new)
    if group is None:
        return text
    id_node = lay.value(item, "id")
    at = (id_node.end_mark.line if id_node is not None else item.first) + 1
    return _splice(lines, at, at, [" " * item.key_col + "group: " + scalar(group) + "\n"])


def append_values_text(text: str, label: str, code_id: str, key: str, values: Sequence[Any]) -> str:
    """Append values to a list of a code (keywords, include, examples, ...), creating the key if needed."""
    if not values:
        return text
    lay = layout(text, label)
    item = lay.items[code_id]
    if item.flow:
        data = _flow_dict(item.node)
        data[key] = [*(data.get(key) or []), *values]
        if "children" in data:  # keep children last, where readers look for them
            data["children"] = data.pop("children")
        return _rewrite_flow(lay, item, data)
    node = lay.value(item, key)
    lines = list(lay.lines)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        first = node.value[0].start_mark
        dash = lines[first.line][: first.column].rstrip().rfind("-")
        last = _last_line(node, lines)
        new = [" " * dash + "- " + scalar(v) + "\n" for v in values]
        return _splice(lines, last + 1, last + 1, new)
    if node is not None:
        current = _flow_dict(node) or []
        if not isinstance(current, list) or node.start_mark.line != node.end_mark.line:
            raise GrondmotiefError(f"{label}:{node.start_mark.line + 1}: write `{key}` of '{code_id}' as a list")
        line = lines[node.start_mark.line]
        flow = yaml.safe_dump([*current, *values], default_flow_style=True, allow_unicode=True, width=10**6).strip()
        lines[node.start_mark.line] = line[: node.start_mark.column] + flow + line[node.end_mark.column :]
        return "".join(lines)
    # No such key yet: a block list before `children:` (or at the end of the code).
    kids = next((k for k, _ in item.node.value if isinstance(k, yaml.ScalarNode) and k.value == "children"), None)
    at = kids.start_mark.line if kids is not None else item.last + 1
    while kids is not None and at > item.first and lines[at - 1].lstrip().startswith("#"):
        at -= 1  # a comment introducing the children stays with them
    new = [" " * item.key_col + key + ":\n"] + [
        " " * (item.key_col + lay.seq_offset) + "- " + scalar(v) + "\n" for v in values
    ]
    return _splice(lines, at, at, new)
