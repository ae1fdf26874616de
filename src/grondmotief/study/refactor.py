"""Codebook refactoring with decisions following: rename, merge, move and split codes.

A plan is computed in memory first: the codebook text edited in place (codebook_edit, checked to
parse to the intended codebook) and every coder's codings file with its decisions rewritten. Only
then is anything written, all files at once or none (journal.py). `--dry-run` shows the plan's diff.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grondmotief.core.errors import CodingsError, GrondmotiefError
from grondmotief.core.fileio import iter_files, read_text
from grondmotief.study.codebook import CODE_ID, Codebook, CodebookFile, CodeSpec
from grondmotief.study.codebook_edit import (
    append_values_text,
    check_new_id,
    cut_text,
    find_spec,
    insert_block_text,
    insert_item_text,
    layout,
    load_text,
    new_code_fields,
    rename_text,
    set_group_text,
    verify,
)
from grondmotief.study.codings import Decision, ReadResult
from grondmotief.study.folder import Study

# What a merged code brings to the code it is merged into. Its definition and exclude criteria
# describe the boundary between the two codes, which no longer exists; they are dropped (and the
# summary says so), while the words that find passages and the examples are kept.
MERGED_LISTS = ("include", "examples", "keywords", "patterns")


@dataclass
class CoderChange:
    coder: str
    path: Path
    old: str
    new: str
    rewritten: int = 0  # decisions whose code changed
    combined: int = 0  # decisions folded into another one on the same passage and code
    memos_kept: int = 0  # memos of folded decisions appended to the one kept
    on_code: int = 0  # decisions on the code concerned (move, split), left as they are

    def row(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "file": f"codings/{self.path.name}",
            "rewritten": self.rewritten,
            "combined": self.combined,
            "memos_kept": self.memos_kept,
            "on_code": self.on_code,
            "changed": self.old != self.new,
        }


@dataclass
class Refactor:
    operation: str
    description: str
    codebook_path: Path
    codebook_label: str
    old_text: str
    new_text: str
    codebook: Codebook
    coders: list[CoderChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passages: tuple[Path, str, str, str] | None = None  # the example passages: path, label, old, new

    def changes(self) -> dict[Path, bytes]:
        out = {self.codebook_path: self.new_text.encode("utf-8")} if self.new_text != self.old_text else {}
        for c in self.coders:
            if c.new != c.old:
                out[c.path] = c.new.encode("utf-8")
        if self.passages is not None and self.passages[2] != self.passages[3]:
            out[self.passages[0]] = self.passages[3].encode("utf-8")
        return out

    def diff(self) -> str:
        parts = [_diff(self.old_text, self.new_text, self.codebook_label)]
        if self.passages is not None:
            parts.append(_diff(self.passages[2], self.passages[3], self.passages[1]))
        parts += [_diff(c.old, c.new, f"codings/{c.path.name}") for c in self.coders]
        return "".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "description": self.description,
            "codebook": self.codebook_label,
            "codebook_changed": self.new_text != self.old_text,
            "passages_changed": self.passages is not None and self.passages[2] != self.passages[3],
            "coders": [c.row() for c in self.coders],
            "notes": self.notes,
        }


def _diff(old: str, new: str, label: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{label}", f"b/{label}", n=2
    )
    return "".join(lines)


# --------------------------------------------------------------------------- decisions


def remap(result: ReadResult, mapping: dict[str, str], change: CoderChange) -> list[Decision]:
    """Decisions with codes renamed by `mapping`; two that now share passage and code become one.

    Of two such decisions the accepted one wins (the passage fitted one of the codes merged, so
    it fits the merged code); then the one made on the target code itself; then the latest. The
    span covers both when both accepted; a memo of the other is kept, appended.
    """
    groups: dict[tuple[str, str], list[Decision]] = {}
    for d in result.decisions:
        groups.setdefault((d.segment, mapping.get(d.code, d.code)), []).append(d)
    out: list[Decision] = []
    for (_segment, code), ds in groups.items():
        if len(ds) == 1:
            d = ds[0]
            if d.code != code:
                change.rewritten += 1
                d = d.model_copy(update={"code": code})
            out.append(d)
            continue
        ds.sort(key=lambda d: (d.decision != "accepted", d.code != code, _neg(d.at)))
        kept, others = ds[0], ds[1:]
        change.rewritten += sum(1 for d in ds if d.code != code)
        change.combined += len(others)
        update: dict[str, Any] = {"code": code}
        accepted = [d for d in ds if d.decision == "accepted"]
        if len(accepted) > 1 and kept.span is not None:
            spans = [d.span for d in accepted]
            update["span"] = (
                None if any(s is None for s in spans) else (min(s[0] for s in spans), max(s[1] for s in spans))  # type: ignore[index]
            )
        memo = kept.memo
        for d in others:
            if d.memo and d.memo not in memo:
                memo = f"{memo}\n[{d.code}, {d.decision}] {d.memo}" if memo else f"[{d.code}, {d.decision}] {d.memo}"
                change.memos_kept += 1
        update["memo"] = memo
        new = kept.model_copy(update=update)
        out.append(new)
    return out


def _neg(at: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in at)  # latest first in an ascending sort


def render_decisions(decisions: list[Decision], result: ReadResult) -> str:
    """Sorted like CodingStore writes them; untouched decisions keep their line byte for byte."""
    raw = result.raw or {}
    ordered = sorted(decisions, key=Decision.sort_key)
    return "".join((raw.get(id(d)) or d.to_line()) + "\n" for d in ordered)


def _read_coder(study: Study, coder: str) -> tuple[ReadResult, str]:
    store = study.store(coder)
    result = store.read()
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        raise CodingsError(
            f"{store.label} has {len(errors)} problem(s); fix them (`grondmotief check --fix`) before "
            "changing the codebook, so no decision is left behind",
            errors,
        )
    old = store.path.read_text(encoding="utf-8") if store.path.exists() else ""
    return result, old


def _follow(study: Study, mapping: dict[str, str], descendants_of: list[str]) -> list[CoderChange]:
    changes = []
    for coder in study.coders():
        result, old = _read_coder(study, coder)
        change = CoderChange(coder, study.store(coder).path, old, old)
        change.on_code = sum(1 for d in result.decisions if d.code in descendants_of)
        if mapping and any(d.code in mapping for d in result.decisions):
            change.new = render_decisions(remap(result, mapping, change), result)
        changes.append(change)
    return changes


# --------------------------------------------------------------------------- the codebook


def _codebook(study: Study) -> tuple[Path, str, str, Codebook]:
    path = study.codebook_path
    label = study.rel(path)
    text = read_text(path, label)
    return path, label, text, load_text(text, path, label)


def _mentions(study: Study, text: str, label: str, code_id: str, skip_lines: set[int]) -> list[str]:
    """Places a human should look at: templates and codebook prose naming the old id."""
    word = re.compile(rf"(?<![\w-]){re.escape(code_id)}(?![\w-])")
    notes = []
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if word.search(line) and i + 1 not in skip_lines]
    if lines:
        notes.append(
            f"{label}: line(s) {', '.join(map(str, lines))} still mention '{code_id}' in their text; "
            "reword them by hand if they refer to the code"
        )
    for tpl in iter_files(study.templates_dir, "*.j2"):
        hits = [
            i + 1
            for i, line in enumerate(tpl.read_text(encoding="utf-8", errors="replace").splitlines())
            if word.search(line)
        ]
        if hits:
            notes.append(f"{study.rel(tpl)}: line(s) {', '.join(map(str, hits))} mention '{code_id}'; update by hand")
    return notes


def _follow_passages(study: Study, cb: Codebook, got: Codebook, mapping: dict[str, str]) -> Any:
    """The codebook's example passages with renamed codes (None: it names none, or no file)."""
    path = cb.passages_path
    if path is None or not path.is_file():
        return None
    from grondmotief.study.passages import parse_passages, rename_codes_text

    label = study.rel(path)
    old = read_text(path, label)
    new = rename_codes_text(old, mapping)
    parse_passages(new, label, set(got.codes))  # refuse to write passages that name a code no more
    return (path, label, old, new)


def _spec(model: CodebookFile, code_id: str) -> tuple[list[CodeSpec], int]:
    return find_spec(model.codes, code_id)


def plan_rename(study: Study, old: str, new: str) -> Refactor:
    path, label, text, cb = _codebook(study)
    old = cb.resolve(old)  # the code a user names: id or label, any case
    check_new_id(cb, new)
    new_text = rename_text(text, label, old, new)
    expected = copy.deepcopy(cb.data)
    siblings, i = _spec(expected, old)
    siblings[i].id = new
    got = verify(new_text, expected, path, label)
    plan = Refactor("rename", f"rename '{old}' to '{new}'", path, label, text, new_text, got)
    plan.coders = _follow(study, {old: new}, [])
    plan.passages = _follow_passages(study, cb, got, {old: new})
    plan.notes = _mentions(study, new_text, label, old, set())
    return plan


def plan_merge(study: Study, sources: list[str], into: str) -> Refactor:
    path, label, text, cb = _codebook(study)
    into = cb.resolve(into, option="--into")
    sources = [s for s in dict.fromkeys(cb.resolve(x) for x in sources) if s != into]
    if not sources:
        raise GrondmotiefError(f"nothing to merge: name at least one code besides '{into}'")
    for s in sources:
        if into in cb.descendants(s):
            raise GrondmotiefError(f"cannot merge '{s}' into its own descendant '{into}'; merge '{into}' into '{s}'")
        if cb.codes[s].group != cb.codes[into].group:
            raise GrondmotiefError(
                f"'{s}' is in group '{cb.codes[s].group}' and '{into}' in '{cb.codes[into].group}'; "
                "merge codes of one group (or `codebook move` one first)"
            )
    expected = copy.deepcopy(cb.data)
    new_text = text
    dropped: list[str] = []
    for s in sources:
        spec = copy.deepcopy(cb.codes[s].spec)
        target_list, ti = _spec(expected, into)
        target = target_list[ti]
        for key in MERGED_LISTS:
            have = getattr(target, key)
            extra = [v for v in getattr(spec, key) if v not in have]
            if key == "keywords":
                lowered = {k.lower() for k in have}
                extra = [v for v in extra if v.lower() not in lowered]
            if extra:
                setattr(target, key, [*have, *extra])
                new_text = append_values_text(new_text, label, into, key, extra)
        if spec.definition.strip():
            dropped.append(f"the definition of '{s}'")
        if spec.exclude:
            dropped.append(f"{len(spec.exclude)} exclude line(s) of '{s}'")
        # Its children go to the merged code, after the children it has.
        for child in list(cb.codes[s].children):
            new_text, block, dash = cut_text(new_text, label, child)
            new_text = insert_block_text(new_text, label, block, dash, into, None)
            src_list, si = _spec(expected, s)
            moved = src_list[si].children.pop(0)
            target_list, ti = _spec(expected, into)
            target_list[ti].children.append(moved)
        new_text, _block, _dash = cut_text(new_text, label, s)
        src_list, si = _spec(expected, s)
        src_list.pop(si)
    got = verify(new_text, expected, path, label)
    names = ", ".join(f"'{s}'" for s in sources)
    plan = Refactor("merge", f"merge {names} into '{into}'", path, label, text, new_text, got)
    plan.coders = _follow(study, dict.fromkeys(sources, into), [])
    plan.passages = _follow_passages(study, cb, got, dict.fromkeys(sources, into))
    if dropped:
        plan.notes.append("dropped (still in git and in the --dry-run diff): " + "; ".join(dropped))
    for s in sources:
        plan.notes += _mentions(study, new_text, label, s, set())
    return plan


def plan_move(study: Study, code: str, parent: str | None, group: str | None = None) -> Refactor:
    path, label, text, cb = _codebook(study)
    c = cb.get(code)
    code = c.id
    if parent is not None:
        p = cb.get(parent)
        parent = p.id
        if parent == code or parent in cb.descendants(code):
            raise GrondmotiefError(f"cannot move '{code}' under '{parent}', which is '{code}' itself or inside it")
        if c.parent == parent:
            raise GrondmotiefError(f"'{code}' is already a child of '{parent}'")
        if group is not None and group != p.group:
            raise GrondmotiefError(f"'{parent}' is in group '{p.group}', not '{group}'")
        new_group = p.group
    else:
        new_group = group or c.group
        if new_group not in cb.groups:
            raise GrondmotiefError(f"unknown group '{new_group}' (codebook {label} has: {', '.join(cb.groups)})")
        if c.parent is None and new_group == c.group:
            raise GrondmotiefError(f"'{code}' is already a top-level code of group '{c.group}'")
    expected = copy.deepcopy(cb.data)
    siblings, i = _spec(expected, code)
    spec = siblings.pop(i)
    new_text = text
    # Group keys: a top-level code names its group; a child and its descendants inherit theirs.
    if parent is None:
        spec.group = new_group
        new_text = set_group_text(new_text, label, code, new_group)
    elif spec.group is not None and spec.group != new_group:
        spec.group = None
        new_text = set_group_text(new_text, label, code, None)
    if new_group != c.group:
        for d in cb.descendants(code):
            if cb.codes[d].spec.group is not None:
                new_text = set_group_text(new_text, label, d, None)
        _clear_groups(spec.children)
    new_text, block, dash = cut_text(new_text, label, code)
    new_text = insert_block_text(new_text, label, block, dash, parent, new_group)
    if parent is not None:
        plist, pi = _spec(expected, parent)
        plist[pi].children.append(spec)
    else:
        tops = [s for s in expected.codes if s.group == new_group]
        at = expected.codes.index(tops[-1]) + 1 if tops else len(expected.codes)
        expected.codes.insert(at, spec)
    got = verify(new_text, expected, path, label)
    where = f"under '{parent}'" if parent else f"to the top level of group '{new_group}'"
    plan = Refactor("move", f"move '{code}' {where}", path, label, text, new_text, got)
    plan.coders = _follow(study, {}, [code, *cb.descendants(code)])
    plan.notes.append(
        f"decisions keep their code; tallies now roll '{code}' up into "
        + (f"'{parent}' and its ancestors" if parent else "no parent")
    )
    return plan


def _clear_groups(specs: list[CodeSpec]) -> None:
    for s in specs:
        s.group = None
        _clear_groups(s.children)


def plan_split(study: Study, code: str, into: list[str], labels: list[str] | None = None) -> Refactor:
    path, label, text, cb = _codebook(study)
    code = cb.resolve(code)
    into = list(dict.fromkeys(into))
    if not into:
        raise GrondmotiefError("name the new codes: --into X,Y")
    if labels is not None and len(labels) != len(into):
        raise GrondmotiefError(f"--labels gives {len(labels)} label(s) for {len(into)} new code(s)")
    expected = copy.deepcopy(cb.data)
    new_text = text
    for n, new in enumerate(into):
        if not CODE_ID.fullmatch(new):
            raise GrondmotiefError(f"code id '{new}' must be lower-case ASCII letters, digits and hyphens")
        if new in cb.codes:
            raise GrondmotiefError(f"the codebook {label} already has a code '{new}'")
        fields = new_code_fields(new, labels[n] if labels else new, None)
        plist, pi = _spec(expected, code)
        plist[pi].children.append(CodeSpec.model_validate(fields))
        new_text = insert_item_text(new_text, layout(new_text, label), fields, code, None, label)
    got = verify(new_text, expected, path, label)
    names = ", ".join(f"'{x}'" for x in into)
    plan = Refactor("split", f"split '{code}' into {names}", path, label, text, new_text, got)
    plan.coders = _follow(study, {}, [code])
    plan.notes.append(
        f"decisions stay on '{code}' until re-decided: `grondmotief code --code {code}` offers its passages"
    )
    return plan


# --------------------------------------------------------------------------- applying


def apply(study: Study, make_plan: Callable[[], Refactor]) -> Refactor:
    """Plan again under the locks (so no decision recorded meanwhile is lost) and write it all.

    The study lock keeps other refactors and roll-backs out; each coder's lock keeps the review
    loop from recording a decision between our reading its file and replacing it.
    """
    from grondmotief.core.journal import roll_back, study_lock, write_all

    with study_lock(study.cache_dir):
        roll_back(study.root, study.cache_dir)
        with ExitStack() as stack:
            coders = study.coders()
            for coder in coders:
                stack.enter_context(study.store(coder).locked())
            plan = make_plan()
            if study.coders() != coders:
                raise GrondmotiefError("a new coder's file appeared meanwhile; nothing was changed, try again")
            changes = plan.changes()
            if changes:
                write_all(study.root, study.cache_dir, changes)
    return plan
