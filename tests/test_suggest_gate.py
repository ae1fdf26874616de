"""The group model: how sure the seed model is that a passage is about some theme at all scales
the passage's leading theme (settings `suggest.group_model`, on with the seed model)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grondmotief.study.folder import Study
from grondmotief.suggest import suggest_study
from grondmotief.suggest.score import gate

REPO = Path(__file__).parent.parent
THEMES = ("access", "subsidies", "partnership", "care", "permits")

# Invented words, so only the example passages can tie them to anything: "klobbertjes" comes
# with a theme (a different one each time: the group model learns "a theme", no theme model
# learns much), "zwoeberen" with none.
PASSAGES = "passages:\n" + "".join(
    f"  - text: Die klobbertjes, alweer {n} weken en niemand die iets terugzegt.\n    codes: [{theme}]\n"
    f"  - text: Op zaterdag zwoeberen we met {n} buren in de tuin.\n    codes: []\n"
    for n in ("twee", "drie", "vier", "vijf", "zes", "zeven")
    for theme in THEMES
)


def _study(tmp_path: Path, group_model: bool) -> Path:
    root = tmp_path / ("on" if group_model else "off")
    (root / "codebooks").mkdir(parents=True)
    (root / "interviews").mkdir()
    data = yaml.safe_load((REPO / "codebooks" / "grondmotieven.yaml").read_text(encoding="utf-8"))
    data["passages"] = "mijn.passages.yaml"
    (root / "codebooks" / "grondmotieven.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "codebooks" / "mijn.passages.yaml").write_text(PASSAGES, encoding="utf-8")
    (root / "grondmotief.yaml").write_text(
        # the semantic model mixes into the same scores: off, so the group model's effect is alone
        f"format_version: 1\ncodebook: grondmotieven\nsuggest:\n  semantic: false\n  group_model: {str(group_model).lower()}\n",
        encoding="utf-8",
    )
    turns = [
        "Weer die klobbertjes bij de gemeente, ik word er moe van.",
        "We zwoeberen gewoon door bij de gemeente, ik word er moe van.",
    ]
    body = "\n".join(f"I: En toen?\n\nR: {t}\n" for t in turns)
    (root / "interviews" / "t1.md").write_text(
        f"---\nid: t1\ntitle: Proef\nspeakers: {{I: interviewer, R: respondent}}\n---\n{body}", encoding="utf-8"
    )
    return root


def _themes(root: Path) -> dict[str, dict[str, float]]:
    out = {}
    for seg, sugg in suggest_study(Study.open(root), threshold=0.0, rank_all=True):
        out[seg.id] = {s.code: s.score for s in sugg if s.code in THEMES}
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("gate")
    return _themes(_study(tmp, True)), _themes(_study(tmp, False))


def test_a_passage_about_some_theme_gets_its_leader_raised(both) -> None:
    on, off = both
    about, plain = on["t1¶2"], off["t1¶2"]
    leader = max(THEMES, key=lambda c: (plain[c], c))
    assert on["t1¶2"][leader] > plain[leader] * 1.3, (about, plain)
    assert sorted(THEMES, key=lambda c: -plain[c]) == sorted(THEMES, key=lambda c: -about[c])


def test_a_passage_about_no_theme_gets_its_leader_lowered(both) -> None:
    on, off = both
    about, plain = on["t1¶4"], off["t1¶4"]
    leader = max(THEMES, key=lambda c: (plain[c], c))
    assert about[leader] < plain[leader] * 0.7, (about, plain)
    assert all(about[c] <= plain[c] for c in THEMES)


def test_gate_keeps_the_order_and_never_raises_a_follower() -> None:
    scores = {"a": 0.3, "b": 0.2, "c": 0.0, "m": 0.5}
    up = gate(scores, {"a", "b", "c"}, 0.9)
    assert up == {"a": pytest.approx(0.54), "b": 0.2, "c": 0.0, "m": 0.5}
    down = gate(scores, {"a", "b", "c"}, 0.1)
    assert down == {"a": pytest.approx(0.06), "b": pytest.approx(0.04), "c": 0.0, "m": 0.5}
    assert gate({"a": 0.8}, {"a"}, 1.0) == {"a": 1.0}  # capped
    assert gate({"a": 0.0, "m": 0.4}, {"a"}, 1.0) == {"a": 0.0, "m": 0.4}  # no leader: nothing to scale
