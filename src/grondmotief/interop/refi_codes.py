"""Imported REFI-QDA codes → codebook entries: a new codebook, or merged into the active one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from grondmotief.core.fileio import dump_yaml
from grondmotief.interop.refi_common import parse_color, slugify, unique
from grondmotief.interop.refi_read import RCode, RProject
from grondmotief.study.codebook import CODE_ID, KEYWORD, MAX_DEPTH, CodebookFile, CodeSpec, Group

TRAILER_LINE = re.compile(r"^(Include|Exclude|Examples):\s*$|^(Keywords|Attributes|Id):\s*(.*)$|^- (.*)$")
IMPORTED_GROUP = "imported"


def parse_description(text: str) -> tuple[str, dict[str, Any]]:
    """(definition, extras) from a Code/Set description; extras come from our export's trailer."""
    blocks = re.split(r"\n[ \t]*\n", text.strip()) if text.strip() else []
    if not blocks:
        return "", {}
    last = blocks[-1].split("\n")
    if not all(TRAILER_LINE.match(line.strip()) for line in last) or not any(line.startswith("Id:") for line in last):
        return text.strip(), {}
    extras: dict[str, Any] = {}
    current: str | None = None
    for line in (ln.strip() for ln in last):
        m = TRAILER_LINE.match(line)
        assert m is not None
        if m.group(1):
            current = m.group(1).lower()
            extras[current] = []
        elif m.group(2):
            current = None
            key, value = m.group(2).lower(), m.group(3).strip()
            if key == "keywords":
                extras["keywords"] = [k.strip() for k in value.split(",") if k.strip()]
            elif key == "attributes":
                extras["attributes"] = dict(_attr(pair) for pair in value.split(", ") if "=" in pair)
            else:
                extras["id"] = value
        elif current is not None:
            extras[current].append(m.group(4))
    return "\n\n".join(blocks[:-1]).strip(), extras


def _attr(pair: str) -> tuple[str, Any]:
    key, value = pair.split("=", 1)
    v: Any = value
    if value in ("True", "False"):
        v = value == "True"
    else:
        for cast in (int, float):
            try:
                v = cast(value)
                break
            except ValueError:
                continue
    return key.strip(), v


@dataclass
class CodePlan:
    ids: dict[str, str] = field(default_factory=dict)  # code GUID → code id in the study
    model: CodebookFile | None = None  # the codebook to write (None: nothing changes)
    new_codes: int = 0
    matched: int = 0
    notes: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        assert self.model is not None
        data = self.model.model_dump(mode="json", exclude_defaults=True)
        ordered: dict[str, Any] = {"format_version": 1}
        for key in ("name", "language", "description", "groups", "codes"):
            if key in data:
                ordered[key] = data[key]
        ordered.setdefault("codes", [])
        return dump_yaml(ordered)


def _nest_by_backslash(codes: list[RCode], notes: list[str]) -> list[RCode]:
    """Taguette writes hierarchy into names ('interesting\\places'); nest such codes under their parent."""
    if any(c.children for c in codes) or not any("\\" in c.name for c in codes):
        return codes
    by_name = {c.name: c for c in codes}
    roots = []
    nested = 0
    for c in codes:
        parent_name, _, leaf = c.name.rpartition("\\")
        parent = by_name.get(parent_name)
        if parent is not None and parent is not c:
            c.name = leaf or c.name
            parent.children.append(c)
            nested += 1
        else:
            roots.append(c)
    if nested:
        notes.append(
            f"{nested} code(s) nested under the code their name starts with ('parent\\child', as Taguette writes hierarchy)"
        )
    return roots


def _groups(project: RProject) -> tuple[dict[str, str], dict[str, Group], list[str]]:
    """(code GUID → group id, groups, notes) from the project's Sets of codes."""
    member_of: dict[str, str] = {}
    groups: dict[str, Group] = {}
    taken: set[str] = set()
    doubles = 0
    for s in project.sets:
        if not s.members:
            continue
        definition, extras = parse_description(s.description)
        gid = extras.get("id") if CODE_ID.fullmatch(str(extras.get("id", ""))) else slugify(s.name, fallback="group")
        gid = unique(str(gid), taken)
        groups[gid] = Group(label=s.name or gid, description=definition)
        for m in s.members:
            if m in member_of:
                doubles += 1
            else:
                member_of[m] = gid
    notes = [f"{doubles} code(s) are in several sets; each kept the group of its first set"] if doubles else []
    return member_of, groups, notes


def plan_codes(project: RProject, existing: CodebookFile | None, default_name: str) -> CodePlan:
    plan = CodePlan()
    roots = _nest_by_backslash(project.codes, plan.notes)
    member_of, groups, notes = _groups(project)
    plan.notes += notes
    model = existing.model_copy(deep=True) if existing is not None else CodebookFile(name=default_name, codes=[])
    specs: dict[str, CodeSpec] = {}
    depth_of: dict[str, int] = {}

    def index(items: list[CodeSpec], depth: int) -> None:
        for spec in items:
            specs[spec.id] = spec
            depth_of[spec.id] = depth
            index(spec.children, depth + 1)

    index(model.codes, 0)
    # Imported codes merge only with codes of the existing codebook, never with each other
    # (two imported codes may share a name under different parents).
    by_label = {spec.label.strip().lower(): cid for cid, spec in specs.items()}
    existing_ids = set(specs)
    taken = set(specs)
    used_keywords = {" ".join(k.lower().split()) for s in specs.values() for k in s.keywords}
    counters = {"folders": 0, "flattened": 0, "keywords": 0, "colours": 0}

    def group_of(code: RCode) -> str | None:
        if code.guid in member_of:
            return member_of[code.guid]
        for ch in code.children:
            g = group_of(ch)
            if g is not None:
                return g
        return None

    def add(code: RCode, parent: str | None, group: str, depth: int) -> None:
        definition, extras = parse_description(code.description)
        label = code.name or extras.get("id") or "(unnamed)"
        wanted = str(extras.get("id", ""))
        match = None
        if wanted in existing_ids:
            match = wanted
        elif label.lower() in by_label:
            match = by_label[label.lower()]
        elif slugify(label) in existing_ids:
            match = slugify(label)
        if match is not None:
            plan.ids[code.guid] = match
            plan.matched += 1
            for ch in code.children:
                add(ch, match, group, depth_of[match] + 1)
            return
        if not code.codable:
            counters["folders"] += 1
        cid = unique(wanted if CODE_ID.fullmatch(wanted) else slugify(label), taken)
        keywords = []
        for kw in extras.get("keywords", []):
            key = " ".join(kw.lower().split())
            if KEYWORD.fullmatch(key) and key != "*" and key not in used_keywords:
                used_keywords.add(key)
                keywords.append(kw)
            else:
                counters["keywords"] += 1
        color = parse_color(code.color)
        if code.color and color is None:
            counters["colours"] += 1
        spec = CodeSpec(
            id=cid,
            label=label,
            group=group if parent is None else None,
            definition=definition,
            include=extras.get("include", []),
            exclude=extras.get("exclude", []),
            examples=extras.get("examples", []),
            keywords=keywords,
            attributes=extras.get("attributes", {}),
            color=color,
        )
        if parent is not None and depth >= MAX_DEPTH:
            # Too deep for a codebook: hang it beside its parent instead of under it.
            counters["flattened"] += 1
            parent, depth = _parent_of(specs, parent), depth - 1
            if parent is None:
                spec.group = group
        if parent is None:
            model.codes.append(spec)
        else:
            specs[parent].children.append(spec)
        specs[cid] = spec
        depth_of[cid] = depth
        plan.ids[code.guid] = cid
        plan.new_codes += 1
        for ch in code.children:
            add(ch, cid, group, depth + 1)

    used = {group_of(root) for root in roots}
    for gid, group in groups.items():  # groups in the order of the project's Sets, as exported
        if gid in used and gid not in model.groups:
            model.groups[gid] = group
    for root in roots:
        gid = group_of(root) or IMPORTED_GROUP
        if gid not in model.groups:
            model.groups[gid] = groups.get(gid) or Group(
                label=f"Imported from {project.origin or 'REFI-QDA'}", description="Codes imported without a group."
            )
        add(root, None, gid, 0)

    if counters["folders"]:
        plan.notes.append(f"{counters['folders']} folder code(s) (isCodable=false) became ordinary codes")
    if counters["flattened"]:
        plan.notes.append(
            f"{counters['flattened']} code(s) nested deeper than {MAX_DEPTH} levels were attached higher up"
        )
    if counters["keywords"]:
        plan.notes.append(
            f"{counters['keywords']} keyword(s) were dropped (malformed, or already a keyword of another code)"
        )
    if counters["colours"]:
        plan.notes.append(f"{counters['colours']} colour(s) were not readable and were left out")
    if plan.new_codes:
        plan.model = model
    return plan


def _parent_of(specs: dict[str, CodeSpec], cid: str) -> str | None:
    for pid, spec in specs.items():
        if any(ch.id == cid for ch in spec.children):
            return pid
    return None
