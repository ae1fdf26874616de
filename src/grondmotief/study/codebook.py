"""The codebook: a YAML specification of codes, validated and linted with file:line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core.errors import CodebookError, GrondmotiefError, Problem
from grondmotief.core.fileio import LineDict, LineList, decode_text, emptiness, load_yaml, read_text

if TYPE_CHECKING:
    from grondmotief.study.codebook_model import CodebookFile, CodeSpec, Group

_MODELS = ("CodebookFile", "CodeSpec", "Group")


def __getattr__(name: str) -> Any:
    # The pydantic models are built on first use: quick commands read a cached codebook (issue 14).
    if name in _MODELS:
        from grondmotief.study import codebook_model

        return getattr(codebook_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CODE_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
KEYWORD = re.compile(r"^[\w'’.-]+(?: [\w'’.-]+)*\*?$")
MAX_DEPTH = 8
PATTERN_KEYS = {
    "ORTH",
    "TEXT",
    "LOWER",
    "LEMMA",
    "NORM",
    "POS",
    "TAG",
    "MORPH",
    "DEP",
    "SHAPE",
    "ENT_TYPE",
    "LENGTH",
    "OP",
    "IS_ALPHA",
    "IS_ASCII",
    "IS_DIGIT",
    "IS_LOWER",
    "IS_UPPER",
    "IS_TITLE",
    "IS_PUNCT",
    "IS_SPACE",
    "IS_STOP",
    "IS_SENT_START",
    "LIKE_NUM",
    "LIKE_URL",
    "LIKE_EMAIL",
    "SPACY",
    "_",
}
PATTERN_OPS = {"!", "?", "+", "*"}


@dataclass
class Code:
    id: str
    label: str
    group: str
    parent: str | None
    spec: CodeSpec
    line: int | None
    depth: int = 0
    children: list[str] = field(default_factory=list)

    @property
    def sphere(self) -> str | None:
        value = self.spec.attributes.get("sphere")
        return None if value is None else str(value)


@dataclass
class Codebook:
    path: Path
    label: str
    data: CodebookFile
    codes: dict[str, Code]
    order: list[str]

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def groups(self) -> dict[str, Group]:
        return self.data.groups

    @property
    def passages_path(self) -> Path | None:
        """The example-passages file the codebook names, beside it (None: it names none)."""
        return self.path.parent / self.data.passages if self.data.passages else None

    def resolve(self, name: str, group: str | None = None, option: str | None = None) -> str:
        """The code id meant by `name`, wherever a user names a code: its id or its label, in
        any case (`Subsidies`, `"schaarste en overvloed"`). With `group`, only that group's codes
        count; a code of another group is named as such. Unknown names raise a usage error with
        the nearest ids ("did you mean …")."""
        from grondmotief.core.lookup import fold, unknown

        allowed = self.in_group(group) if group is not None and group in self.groups else self.order
        found = self._find(name, allowed) or self._find(name, self.order)
        if found is not None and (group is None or found in allowed):
            return found
        listing = f"codes in {group}" if group else "codes" if option else f"codebook {self.label} has"
        if found is not None:
            from grondmotief.core.errors import UsageProblem

            where = f"{option} '{name}'" if option else f"code '{name}'"
            raise UsageProblem(
                f"{where} is in group '{self.codes[found].group}', not '{group}' ({group}: {', '.join(allowed)})"
            )
        # Near misses among ids and labels, each named by its id.
        by_name = {fold(self.codes[c].label): c for c in reversed(allowed)} | {c: c for c in allowed}
        from grondmotief.core.lookup import close_matches, or_list

        near = list(dict.fromkeys(by_name[fold(m)] for m in close_matches(name, by_name)))
        hint = f"; did you mean {or_list(near)}?" if near else ""
        raise unknown("code", name, list(allowed), option=option, listing=listing, hint=hint)

    def _find(self, name: str, among: list[str]) -> str | None:
        from grondmotief.core.lookup import fold

        if name in self.codes and name in among:
            return name
        key = fold(name)
        by_id = [c for c in among if c.casefold() == key]
        if by_id:
            return by_id[0]
        by_label = [c for c in among if fold(self.codes[c].label) == key]
        if len(by_label) > 1:
            from grondmotief.core.errors import UsageProblem

            raise UsageProblem(f"'{name}' is the label of {', '.join(by_label)}: name one of them by its id")
        return by_label[0] if by_label else None

    def get(self, code_id: str) -> Code:
        """The code a user named (id or label, any case; see `resolve`)."""
        return self.codes[self.resolve(code_id)]

    def in_group(self, group: str, *, top_only: bool = False) -> list[str]:
        if group not in self.groups:
            from grondmotief.core.lookup import unknown

            raise unknown("group", group, list(self.groups), listing=f"codebook {self.label} has")
        return [c for c in self.order if self.codes[c].group == group and not (top_only and self.codes[c].parent)]

    def top_level(self, group: str | None = None) -> list[str]:
        return [
            c for c in self.order if self.codes[c].parent is None and (group is None or self.codes[c].group == group)
        ]

    def ancestors(self, code_id: str) -> list[str]:
        out = []
        parent = self.codes[code_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.codes[parent].parent
        return out

    def descendants(self, code_id: str) -> list[str]:
        out: list[str] = []
        for child in self.codes[code_id].children:
            out.append(child)
            out.extend(self.descendants(child))
        return out

    def rollup(self, code_id: str) -> list[str]:
        """The codes a decision for `code_id` counts towards: itself and its ancestors."""
        return [code_id, *self.ancestors(code_id)]


def _kw_key(keyword: str) -> str:
    return " ".join(keyword.lower().split())


def _line(node: Any, key: str | int) -> int | None:
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line)
    if isinstance(node, LineList) and isinstance(key, int) and key < len(node.item_lines):
        return node.item_lines[key]
    return getattr(node, "line", None)


def _check_depth(node: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH * 3:
        return False
    if isinstance(node, dict):
        return all(_check_depth(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return all(_check_depth(v, depth + 1) for v in node)
    return True


def _lint_pattern(pattern: Any) -> str | None:
    if not isinstance(pattern, list) or not pattern:
        return "a token pattern must be a non-empty list of token dicts"
    for tok in pattern:
        if not isinstance(tok, dict):
            return "each token in a pattern must be a mapping such as {LEMMA: subsidie}"
        for key, value in tok.items():
            if key not in PATTERN_KEYS:
                return f"unknown token attribute '{key}' in pattern"
            if key == "OP" and value not in PATTERN_OPS and not re.fullmatch(r"\{\d*,?\d*\}", str(value)):
                return f"invalid OP '{value}' in pattern (use !, ?, +, * or {{n,m}})"
    return None


def lint_codebook(
    path: Path, label: str | None = None, *, passages: bool = False
) -> tuple[Codebook | None, list[Problem]]:
    """Load and check a codebook, collecting every problem (errors and warnings); `passages`: also
    its example passages (for check and lint; loading a codebook does not read them)."""
    label = label or str(path)
    try:
        text = read_text(path, label)
    except GrondmotiefError as exc:
        return None, exc.problems or [Problem(label, None, exc.message)]
    codebook, problems = lint_codebook_text(text, path, label)
    if passages and codebook is not None and codebook.data.passages:
        from grondmotief.study.passages import lint_passages

        problems += lint_passages(codebook, label)
    return codebook, problems


def _lint_bytes(data: bytes, path: Path, label: str) -> tuple[Codebook | None, list[Problem]]:
    try:
        text = decode_text(data, label)
    except GrondmotiefError as exc:
        return None, exc.problems or [Problem(label, None, exc.message)]
    return lint_codebook_text(text, path, label)


def lint_codebook_text(text: str, path: Path, label: str) -> tuple[Codebook | None, list[Problem]]:
    """`lint_codebook` on text already read (the in-place editor checks its result before writing)."""
    if why := emptiness(text):
        return None, [Problem(label, None, f"{why}: a codebook is a YAML mapping with name, groups and codes")]
    try:
        raw = load_yaml(text, label)
    except GrondmotiefError as exc:
        return None, exc.problems or [Problem(label, None, exc.message)]
    if not isinstance(raw, dict):
        return None, [Problem(label, 1, "a codebook is a YAML mapping with name, groups and codes")]
    if not _check_depth(raw):
        return None, [
            Problem(label, None, f"codes nest deeper than {MAX_DEPTH} levels or refer to themselves (YAML aliases)")
        ]
    from grondmotief.study.codebook_model import CodebookFile
    from grondmotief.study.models import validate

    try:
        model, problems = validate(CodebookFile, raw, label)
    except RecursionError:
        return None, [Problem(label, None, "the codebook refers to itself (a YAML alias cycle)")]
    if model is None:
        return None, problems

    problems = []
    codes: dict[str, Code] = {}
    order: list[str] = []
    keyword_owner: dict[str, tuple[str, int | None]] = {}

    def walk(specs: list[CodeSpec], raws: Any, parent: Code | None, depth: int) -> None:
        for i, spec in enumerate(specs):
            raw_code = raws[i] if isinstance(raws, list) and i < len(raws) else None
            line = _line(raws, i)
            if depth >= MAX_DEPTH:
                problems.append(Problem(label, line, f"'{spec.id}': codes nest deeper than {MAX_DEPTH} levels"))
                continue
            if not CODE_ID.fullmatch(spec.id):
                problems.append(
                    Problem(
                        label,
                        _line(raw_code, "id") if raw_code else line,
                        f"code id '{spec.id}' must be lower-case ASCII letters, digits and hyphens",
                    )
                )
            if spec.id in codes:
                first = codes[spec.id].line
                problems.append(Problem(label, line, f"duplicate code id '{spec.id}' (first defined at line {first})"))
                continue
            if not spec.label.strip():
                problems.append(
                    Problem(
                        label, _line(raw_code, "label") if raw_code else line, f"code '{spec.id}' has an empty label"
                    )
                )
            group = spec.group
            if parent is not None:
                if group is not None and group != parent.group:
                    problems.append(
                        Problem(
                            label,
                            _line(raw_code, "group") if raw_code else line,
                            f"code '{spec.id}' is in group '{group}' but its parent '{parent.id}' is in '{parent.group}'; children share their parent's group",
                        )
                    )
                group = parent.group
            elif group is None:
                problems.append(
                    Problem(
                        label,
                        line,
                        f"top-level code '{spec.id}' needs a group (one of: {', '.join(model.groups) or 'none defined'})",
                    )
                )
                group = ""
            if group and group not in model.groups:
                problems.append(
                    Problem(
                        label,
                        _line(raw_code, "group") if raw_code else line,
                        f"code '{spec.id}' names unknown group '{group}' (defined: {', '.join(model.groups) or 'none'})",
                    )
                )
            if spec.color is not None and not COLOR.fullmatch(spec.color):
                problems.append(
                    Problem(
                        label,
                        _line(raw_code, "color") if raw_code else line,
                        f"code '{spec.id}': color must look like #1f77b4",
                    )
                )
            if not spec.definition.strip():
                problems.append(Problem(label, line, f"code '{spec.id}' has no definition", "warning"))
            raw_kws = raw_code.get("keywords") if isinstance(raw_code, dict) else None
            seen_here: set[str] = set()
            for k, kw in enumerate(spec.keywords):
                kline = _line(raw_kws, k) if raw_kws is not None else line
                key = _kw_key(kw)
                if not key or not KEYWORD.fullmatch(key) or key == "*":
                    problems.append(
                        Problem(
                            label, kline, f"code '{spec.id}': malformed keyword {kw!r} (words, optionally ending in *)"
                        )
                    )
                    continue
                if key in seen_here:
                    problems.append(Problem(label, kline, f"code '{spec.id}': keyword '{kw}' listed twice", "warning"))
                    continue
                seen_here.add(key)
                if key in keyword_owner and keyword_owner[key][0] != spec.id:
                    other, oline = keyword_owner[key]
                    problems.append(
                        Problem(
                            label,
                            kline,
                            f"keyword '{kw}' of '{spec.id}' is also a keyword of '{other}' (line {oline}); a keyword should point to one code",
                        )
                    )
                else:
                    keyword_owner[key] = (spec.id, kline)
            raw_pats = raw_code.get("patterns") if isinstance(raw_code, dict) else None
            for p, pattern in enumerate(spec.patterns):
                msg = _lint_pattern(pattern)
                if msg:
                    problems.append(
                        Problem(label, _line(raw_pats, p) if raw_pats is not None else line, f"code '{spec.id}': {msg}")
                    )
            code = Code(spec.id, spec.label.strip(), group or "", parent.id if parent else None, spec, line, depth)
            codes[spec.id] = code
            order.append(spec.id)
            if parent is not None:
                parent.children.append(spec.id)
            walk(spec.children, raw_code.get("children") if isinstance(raw_code, dict) else None, code, depth + 1)

    walk(model.codes, raw.get("codes"), None, 0)
    if not model.codes:
        problems.append(Problem(label, _line(raw, "codes"), "the codebook has no codes"))
    for gid in model.groups:
        if not CODE_ID.fullmatch(gid):
            problems.append(
                Problem(
                    label,
                    _line(raw.get("groups"), gid),
                    f"group id '{gid}' must be lower-case ASCII letters, digits and hyphens",
                )
            )
        if not any(c.group == gid for c in codes.values()):
            problems.append(Problem(label, _line(raw.get("groups"), gid), f"group '{gid}' has no codes", "warning"))
    problems.sort(key=lambda p: (p.line or 0, p.message))
    return Codebook(path, label, model, codes, order), problems


def load_codebook(path: Path, label: str | None = None, *, data: bytes | None = None) -> Codebook:
    """The codebook, or CodebookError listing its errors (`data`: the file's bytes, already read)."""
    if data is None:
        codebook, problems = lint_codebook(path, label)
    else:
        codebook, problems = _lint_bytes(data, path, label or str(path))
    errors = [p for p in problems if p.severity == "error"]
    if codebook is None or errors:
        raise CodebookError(
            f"the codebook {label or path} has {len(errors) or 1} problem(s); `grondmotief codebook lint` lists them",
            errors or problems,
        )
    return codebook


def codebook_schema() -> dict[str, Any]:
    from grondmotief.study.codebook_model import CodebookFile

    schema = CodebookFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "grondmotief codebook (format_version 1)"
    return schema
