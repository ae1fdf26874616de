"""The in-place codebook editor: new codes land where a reader expects, everything else stays byte for byte."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from grondmotief.core.errors import GrondmotiefError
from grondmotief.study.codebook import load_codebook
from grondmotief.study.codebook_edit import add_code

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "refactor"


@pytest.fixture
def demo_codebook(tmp_path: Path) -> Path:
    path = tmp_path / "grondmotieven.yaml"
    shutil.copyfile(REPO / "codebooks" / "grondmotieven.yaml", path)
    return path


def only_inserted(before: str, after: str) -> list[str]:
    """The lines added; fails if any line of `before` was changed or dropped."""
    ops = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False).get_opcodes()
    assert all(tag in ("equal", "insert") for tag, *_ in ops), [op for op in ops if op[0] != "equal"]
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in after.splitlines()[j1:j2]]


def test_add_top_level_code_after_its_group(demo_codebook: Path) -> None:
    before = demo_codebook.read_text(encoding="utf-8")
    cb = add_code(demo_codebook, "theme", "wachtlijst", "Wachtlijsten: 'zorg'", definition="Wachten op hulp.")
    after = demo_codebook.read_text(encoding="utf-8")
    assert [line for line in only_inserted(before, after) if line] == [
        "  - id: wachtlijst",
        "    group: theme",
        "    label: 'Wachtlijsten: ''zorg'''",
        "    definition: Wachten op hulp.",
    ]
    # Set apart by a blank line, like the codes around it.
    assert "      - aansprakelijkheidsverzekering\n    attributes: {}\n\n  - id: wachtlijst\n" in after
    # After the last theme, before the motives' section ruler, which stays where it was.
    assert after.index("- id: wachtlijst") < after.index(
        "# ---------------------------------------------------------------- grondmotieven"
    )
    assert after.index("- id: permits") < after.index("- id: wachtlijst")
    assert cb.in_group("theme") == ["access", "subsidies", "partnership", "care", "permits", "wachtlijst"]
    reloaded = load_codebook(demo_codebook)
    assert reloaded.get("wachtlijst").label == "Wachtlijsten: 'zorg'"
    assert reloaded.order == cb.order


def test_add_child_to_a_leaf_and_to_a_parent(demo_codebook: Path) -> None:
    before = demo_codebook.read_text(encoding="utf-8")
    add_code(demo_codebook, None, "plezier", "Plezier", parent="love", keywords=["plezier*", "pretje"])
    add_code(demo_codebook, "motive", "tijd", "Tijd", parent="scarcity-abundance", attributes={"sphere": "civil"})
    after = demo_codebook.read_text(encoding="utf-8")
    assert only_inserted(before, after) == [
        "    children:",
        "      - id: plezier",
        "        label: Plezier",
        "        keywords:",
        "        - plezier*",
        "        - pretje",
        "      - id: tijd",
        "        label: Tijd",
        "        attributes:",
        "          sphere: civil",
    ]
    cb = load_codebook(demo_codebook)
    assert cb.get("plezier").parent == "love" and cb.get("plezier").group == "motive"
    assert cb.get("scarcity-abundance").children == ["scarcity", "abundance", "tijd"]
    assert cb.get("tijd").spec.attributes == {"sphere": "civil"}


def test_flow_style_children_get_a_flow_sibling(tmp_path: Path) -> None:
    path = tmp_path / "klein.yaml"
    shutil.copyfile(FIXTURES / "flow-codebook.yaml", path)
    before = path.read_text(encoding="utf-8")
    add_code(path, None, "overvloed-tijd", "Tijd over", parent="scarcity-abundance")
    add_code(path, "theme", "access", "Ingang")
    after = path.read_text(encoding="utf-8")
    assert only_inserted(before, after) == [
        "  - id: access",
        "    group: theme",
        "    label: Ingang",
        "      - {id: overvloed-tijd, label: Tijd over}",
    ]
    assert after.endswith("# end of the codes\n")
    assert load_codebook(path).order == [
        "subsidies",
        "access",
        "scarcity-abundance",
        "scarcity",
        "abundance",
        "overvloed-tijd",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("theme", "subsidies", "Dubbel"), {}, "already has a code 'subsidies'"),
        (("theme", "Wacht Lijst", "Wachtlijst"), {}, "must be lower-case ASCII"),
        (("thema", "wachtlijst", "Wachtlijst"), {}, "unknown group 'thema'"),
        ((None, "wachtlijst", "Wachtlijst"), {"parent": "nergens"}, "unknown code 'nergens'"),
        (("theme", "wachtlijst", "Wachtlijst"), {"parent": "love"}, "cannot be in group 'theme' under 'love'"),
        (("theme", "wachtlijst", "  "), {}, "needs a label"),
        (("theme", "wachtlijst", "Wachtlijst"), {"keywords": ["subsidie*"]}, "would break it"),
    ],
)
def test_refused_additions_leave_the_file_alone(demo_codebook: Path, args, kwargs, message) -> None:
    before = demo_codebook.read_bytes()
    with pytest.raises(GrondmotiefError) as exc:
        add_code(demo_codebook, *args, **kwargs)
    assert message in str(exc.value) + " ".join(p.message for p in exc.value.problems)
    assert demo_codebook.read_bytes() == before
