"""The models in bulk (suggest/model_batch.py) give exactly what one model and one passage at a
time give: same probabilities, same evidence, byte for byte, cold and warm, with and without a
coder's decisions, on the demo study and on a synthetic study with a growing vocabulary."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest import engine, suggest_study

REPO = Path(__file__).parent.parent


def _demo(dest: Path) -> Path:
    for name in ("interviews", "codebooks", "codings"):
        shutil.copytree(REPO / name, dest / name)
    if (REPO / "grondmotief.yaml").is_file():
        shutil.copy(REPO / "grondmotief.yaml", dest / "grondmotief.yaml")
    return dest


def _synthetic(dest: Path) -> Path:
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks.synth import make_decisions, make_study
    finally:
        sys.path.remove(str(REPO))
    make_study(dest, 3, 800, seed=3, drawn=0.4)
    make_decisions(dest, 80, coders=("anna",), seed=4)
    return dest


def _all(root: Path, coder: str | None) -> str:
    found = [s.to_json() for _, got in suggest_study(Study.open(root), coder=coder, threshold=0) for s in got]
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("make", [_demo, _synthetic], ids=["demo", "synthetic"])
def test_bulk_models_give_the_per_passage_suggestions(make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make(tmp_path / "study")
    got: dict[bool, dict[str | None, list[str]]] = {}
    for batch in (False, True):
        monkeypatch.setattr(engine.Engine, "BATCH", batch)
        got[batch] = {}
        for coder in (None, "anna"):
            shutil.rmtree(root / ".grondmotief", ignore_errors=True)
            got[batch][coder] = [_all(root, coder), _all(root, coder)]  # cold, then warm
    for coder in (None, "anna"):
        reference = got[False][coder][0]
        assert '"model_score": 0.' in reference  # the models took part
        assert got[True][coder] == [reference, reference]
    assert got[True][None] != got[True]["anna"]  # the decisions changed the models


def test_training_on_feature_numbers_gives_the_same_coefficients() -> None:
    from grondmotief.suggest.model import train, train_indexed
    from grondmotief.suggest.model_batch import FeatureIndex, ModelBatch

    rows = [{"a", "b"}, {"b", "c:xyz"}, {"d"}, {"a", "d", "h:e"}, set(), {"c:xyz", "e"}]
    labels = [1, 1, 0, 1, 0, 0]
    weights = [1.0, 2.0, 1.0, 0.5, 1.0, 2.0]
    ref = train("x", rows, labels, weights)
    index = FeatureIndex({"zz", "a"} | set().union(*rows))  # more features than these rows use
    got = train_indexed("x", index, [index.ids(r) for r in rows], labels, weights)
    assert got.vocab == ref.vocab
    assert got.coef.tobytes() == ref.coef.tobytes() and got.intercept == ref.intercept
    batch = ModelBatch.of({"x": got, "y": train("y", rows, [0, 0, 1, 1, 1, 0])})
    ids = [batch.index.ids(r) for r in rows]
    assert batch.predict(ids)["x"].tobytes() == ref.predict(rows).tobytes()
    assert [batch.reasons(r)[0] for r in ids] == [ref.reasons(r) for r in rows]
    header, payload = batch.to_bytes()
    back = ModelBatch.from_bytes(json.loads(json.dumps(header)), payload)
    assert back is not None and back.weights.tobytes() == batch.weights.tobytes()
    assert back.index.strings == batch.index.strings and back.intercepts == batch.intercepts
