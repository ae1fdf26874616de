"""What the coder sees of a code's codebook entry (`d` in the loop and in the picker).

The include and exclude rules are what keep two coders consistent, so they are shown whole;
of the examples only the first, which is what the codebook author put first.
"""

from __future__ import annotations

from grondmotief.study.codebook import Codebook


def path_label(codebook: Codebook, code_id: str) -> str:
    """'scarcity-abundance ▸ scarcity' for a child code, the id alone for a top-level one."""
    code = codebook.codes.get(code_id)
    if code is None:
        return code_id
    return " ▸ ".join([*reversed(codebook.ancestors(code_id)), code_id])


def card(codebook: Codebook, code_id: str) -> list[tuple[str, str]]:
    """(heading, text) rows: the code's place, definition, include, exclude and first example."""
    code = codebook.codes.get(code_id)
    if code is None:
        return [(code_id, "not in the codebook")]
    spec = code.spec
    group = codebook.groups.get(code.group)
    where = f"{code.label} · {group.label if group else code.group}"
    if code.children:
        where += f" · children: {', '.join(code.children)}"
    rows = [(path_label(codebook, code_id), where)]
    rows.append(("definition", spec.definition.strip() or "(none in the codebook)"))
    for text in spec.include:
        rows.append(("include", text.strip()))
    for text in spec.exclude:
        rows.append(("exclude", text.strip()))
    if spec.examples:
        rows.append(("example", f"“{spec.examples[0].strip()}”"))
    if not spec.include and not spec.exclude:
        rows.append(("", "no include/exclude rules in the codebook"))
    return rows
