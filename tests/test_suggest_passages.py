"""Example passages beside the codebook: checked like every study file, and learnt from by the seed model."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import run_cli
from grondmotief.study.folder import Study
from grondmotief.suggest import suggest_study

REPO = Path(__file__).parent.parent


def _study(tmp_path: Path, passages: str | None, text: str, seed: bool = True) -> Path:
    root = tmp_path / "s"
    (root / "codebooks").mkdir(parents=True)
    (root / "interviews").mkdir()
    data = yaml.safe_load((REPO / "codebooks" / "grondmotieven.yaml").read_text(encoding="utf-8"))
    data.pop("passages", None)
    book = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if passages is not None:
        book += "passages: mijn.passages.yaml\n"
        (root / "codebooks" / "mijn.passages.yaml").write_text(passages, encoding="utf-8")
    (root / "codebooks" / "grondmotieven.yaml").write_text(book, encoding="utf-8")
    settings = f"format_version: 1\ncodebook: grondmotieven\nsuggest:\n  seed_model: {'true' if seed else 'false'}\n"
    (root / "grondmotief.yaml").write_text(settings, encoding="utf-8")
    (root / "interviews" / "t1.md").write_text(
        f"---\nid: t1\ntitle: Proef\nspeakers: {{I: interviewer, R: respondent}}\n---\nI: Hoe ging dat?\n\nR: {text}\n",
        encoding="utf-8",
    )
    return root


def _scores(root: Path) -> dict[str, float]:
    return {s.code: s.score for _, sugg in suggest_study(Study.open(root), threshold=0.0) for s in sugg}


# An invented word, so only the example passages can tie it to a code.
PASSAGES = "passages:\n" + "".join(
    f"  - text: Die klobbertjes van het stadhuis, alweer {n} weken wachten op een stempel.\n    codes: [permits]\n"
    f"  - text: We hebben {n} buren die elke week soep komen koken.\n    codes: []\n"
    for n in ("twee", "drie", "vier", "vijf", "zes", "zeven")
)
TEXT = "Weer die klobbertjes, ik word er moe van."


def test_the_seed_model_learns_what_the_example_passages_say(tmp_path: Path) -> None:
    without = _scores(_study(tmp_path / "a", None, TEXT))
    got = _scores(_study(tmp_path / "b", PASSAGES, TEXT))
    assert got["permits"] > without["permits"] + 0.1, (without["permits"], got["permits"])
    theme = max(("access", "subsidies", "partnership", "care", "permits"), key=lambda c: got[c])
    assert theme == "permits"


def test_passages_are_not_used_without_the_seed_model(tmp_path: Path) -> None:
    plain = _scores(_study(tmp_path / "a", None, TEXT, seed=False))
    got = _scores(_study(tmp_path / "b", PASSAGES, TEXT, seed=False))
    assert got == plain


def test_an_edited_passages_file_retrains_the_model(tmp_path: Path) -> None:
    root = _study(tmp_path, PASSAGES, TEXT)
    before = _scores(root)
    (root / "codebooks" / "mijn.passages.yaml").write_text(PASSAGES.replace("[permits]", "[care]"), encoding="utf-8")
    after = _scores(root)
    assert after["care"] > before["care"] and after["permits"] < before["permits"]


def test_an_unknown_code_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = "passages:\n  - text: Een zin.\n    codes: [permits]\n  - text: Nog een.\n    codes:\n      - vergunning\n"
    root = _study(tmp_path, bad, TEXT)
    r = run_cli("--study", str(root), "check")
    assert r.exit_code == 1
    assert "codebooks/mijn.passages.yaml:6: unknown code 'vergunning'" in r.stdout + r.stderr
    r = run_cli("--study", str(root), "suggest")
    assert r.exit_code == 1 and "mijn.passages.yaml:6" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr and "Nog een" not in r.stdout + r.stderr


def test_broken_and_missing_passages_files_are_clear_errors(tmp_path: Path) -> None:
    root = _study(tmp_path, "passages: [\n", TEXT)
    r = run_cli("--study", str(root), "codebook", "lint")
    assert r.exit_code == 1 and "codebooks/mijn.passages.yaml:" in r.stdout + r.stderr
    (root / "codebooks" / "mijn.passages.yaml").write_text("- een lijst\n", encoding="utf-8")
    r = run_cli("--study", str(root), "check")
    assert r.exit_code == 1 and "mijn.passages.yaml:1: example passages are a YAML mapping" in r.stdout + r.stderr
    (root / "codebooks" / "mijn.passages.yaml").unlink()  # optional training data: a warning, not an error
    r = run_cli("--study", str(root), "check")
    assert r.exit_code == 0
    assert "warning: names example passages 'mijn.passages.yaml', which does not exist" in r.stdout + r.stderr
    r = run_cli("--study", str(root), "suggest")
    assert r.exit_code == 0 and "'mijn.passages.yaml', which does not exist" in r.stderr


def test_the_passages_file_must_sit_beside_the_codebook(tmp_path: Path) -> None:
    root = _study(tmp_path, PASSAGES, TEXT)
    book = root / "codebooks" / "grondmotieven.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("mijn.passages.yaml", "../grondmotief.yaml"))
    r = run_cli("--study", str(root), "codebook", "lint")
    assert r.exit_code == 1 and "a file name beside the codebook" in r.stdout + r.stderr


def test_the_default_codebooks_passages_load_and_cover_every_theme() -> None:
    from grondmotief.study.codebook import load_codebook
    from grondmotief.study.passages import load_passages

    book = load_codebook(REPO / "codebooks" / "grondmotieven.yaml", "codebooks/grondmotieven.yaml")
    assert book.passages_path is not None
    got = load_passages(book.passages_path, "p", set(book.codes))
    for theme in book.in_group("theme"):
        assert sum(theme in p.codes for p in got) >= 20, theme
    assert sum(not set(p.codes) & set(book.in_group("theme")) for p in got) >= 20
    shipped = Path(__file__).parent.parent / "src" / "grondmotief" / "data" / "codebooks" / book.passages_path.name
    assert shipped.read_bytes() == book.passages_path.read_bytes()


def test_a_coders_first_decision_retrains_the_seed_model_and_warm_runs_agree(tmp_path: Path) -> None:
    from grondmotief.study.codings import Decision, render_codings

    root = _study(tmp_path, PASSAGES, TEXT + " En dan die subsidie.")
    study = Study.open(root)
    seg = study.transcript("t1").coded_segments(study.settings.coded_roles)[0]
    before = {s.code: s.score for _, sugg in suggest_study(study, coder="x", threshold=0.0) for s in sugg}
    (root / "codings").mkdir()
    decision = Decision(
        segment=seg.id, code="subsidies", decision="rejected", source="manual", coder="x",
        at="2026-01-01T00:00:00Z", text_sha=seg.sha,
    )  # fmt: skip
    (root / "codings" / "x.jsonl").write_text(render_codings([decision]), encoding="utf-8")
    cold = {s.code: s.score for _, sugg in suggest_study(Study.open(root), coder="x", threshold=0.0) for s in sugg}
    warm = {s.code: s.score for _, sugg in suggest_study(Study.open(root), coder="x", threshold=0.0) for s in sugg}
    assert cold == warm
    assert "subsidies" not in cold  # rejected by this coder: never suggested again
    assert any(cold[c] != before[c] for c in cold), "one decision must change the seed model"
    accept = decision.model_copy(update={"code": "care", "decision": "accepted", "at": "2026-01-01T00:01:00Z"})
    (root / "codings" / "x.jsonl").write_text(render_codings([decision, accept]), encoding="utf-8")
    again = {s.code: s.score for _, sugg in suggest_study(Study.open(root), coder="x", threshold=0.0) for s in sugg}
    assert again["care"] > cold["care"], "a second decision (far below min_examples) must retrain it too"


def test_codebook_rename_and_merge_carry_the_example_passages_along(tmp_path: Path) -> None:
    from grondmotief.study.passages import load_passages

    root = _study(
        tmp_path,
        PASSAGES + "  - text: Een vergunning en een potje.\n    codes:\n      - permits\n      - subsidies\n",
        TEXT,
    )
    r = run_cli("--study", str(root), "codebook", "rename", "permits", "vergunningen")
    assert r.exit_code == 0, r.stderr
    assert "the example passages follow the codebook" in r.stderr
    book = Study.open(root).codebook
    got = load_passages(book.passages_path, "p", set(book.codes))
    assert sum("vergunningen" in p.codes for p in got) == 7 and not any("permits" in p.codes for p in got)
    r = run_cli("--study", str(root), "codebook", "merge", "vergunningen", "--into", "subsidies")
    assert r.exit_code == 0, r.stderr
    book = Study.open(root).codebook
    got = load_passages(book.passages_path, "p", set(book.codes))
    assert got[-1].codes == ("subsidies",)  # listed once after the merge
    assert run_cli("--study", str(root), "check").exit_code == 0
    text = (root / "codebooks" / "mijn.passages.yaml").read_text(encoding="utf-8")
    assert text.startswith("passages:\n  - text: Die klobbertjes")  # edited in place
