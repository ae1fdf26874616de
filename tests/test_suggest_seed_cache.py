"""The codebook cache (suggest/seed_cache.py): the seed texts' features and the seed models are
reused by another study with the same codebook, rebuilt when the codebook changes or the cache
is unreadable, and suggestions are the same as without any cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest import Stats, suggest_study

REPO = Path(__file__).parent.parent


def _study(dest: Path) -> Path:
    """The demo study with two transcripts (the default codebook and its 900 example passages)."""
    shutil.copytree(REPO / "codebooks", dest / "codebooks")
    shutil.copytree(REPO / "codings", dest / "codings")
    (dest / "interviews").mkdir(parents=True)
    for name in ("org01.md", "org02.md"):
        shutil.copy(REPO / "interviews" / name, dest / "interviews" / name)
    return dest


def _run(root: Path, coder: str | None = None) -> tuple[str, Stats]:
    stats = Stats()
    found = [
        s.to_json() for _, got in suggest_study(Study.open(root), coder=coder, threshold=0, stats=stats) for s in got
    ]
    return json.dumps(found, ensure_ascii=False), stats


def _no_cache(root: Path, monkeypatch: pytest.MonkeyPatch, coder: str | None = None) -> str:
    """The suggestions from nothing cached anywhere: a fresh copy, the study cache only."""
    fresh = root.parent / f"fresh-{root.name}"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".grondmotief"))
    with monkeypatch.context() as m:
        m.setenv("GRONDMOTIEF_CACHE_HOME", "")
        out, stats = _run(fresh, coder)
    assert stats.seed_cached == 0
    return out


def test_codebook_cache_is_shared_and_invalidated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "user-cache"
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", str(home))
    first = _study(tmp_path / "a")
    out1, stats = _run(first)
    assert stats.seed_cached == 0
    assert len(list(home.glob("seed-*.bin"))) == 1 and len(list(home.glob("models-*.bin"))) == 1
    assert len(list(home.glob("semantic-*.bin"))) == 1 and stats.semantic_cached == 0
    assert '"model_score": 0.' in out1

    # Another study, same codebook: the seed models come from the user-level cache.
    second = _study(tmp_path / "b")
    out2, stats = _run(second)
    assert stats.seed_cached == 1 and stats.semantic_cached == 1 and out2 == out1

    # With a coder's decisions the models are trained again, on the cached seed texts.
    out_anna, stats = _run(second, "anna")
    assert stats.seed_cached == 1 and stats.models
    assert out_anna == _no_cache(second, monkeypatch, "anna")

    # Editing the codebook changes the seed and its models.
    book = second / "codebooks" / "grondmotieven.yaml"
    text = book.read_text(encoding="utf-8")
    edited = text.replace(
        "      - zoeken naar de juiste afdeling, ambtenaar of contactpersoon\n",
        "      - zoeken naar de juiste afdeling, ambtenaar of contactpersoon\n"
        "      - een loket, een balie of een telefoonnummer dat niemand opneemt\n",
        1,
    )
    assert edited != text
    book.write_text(edited, encoding="utf-8")
    out3, stats = _run(second)
    assert stats.seed_cached == 0 and stats.semantic_cached == 0
    assert len(list(home.glob("seed-*.bin"))) == 2 and len(list(home.glob("models-*.bin"))) == 2
    assert out3 != out1 and out3 == _no_cache(second, monkeypatch)

    # An unreadable entry is rebuilt, atomically replaced, and changes nothing.
    for f in home.glob("models-*.bin"):
        f.write_bytes(f.read_bytes()[:100])
    shutil.rmtree(second / ".grondmotief")
    out4, stats = _run(second)
    assert stats.seed_cached == 1 and out4 == out3  # the seed texts read, the models trained again
    assert not list(home.glob(".*.tmp"))
    _, stats = _run(_study(tmp_path / "c"))
    assert stats.seed_cached == 1  # the first codebook's models were cut short too: trained again


def test_seed_texts_round_trip() -> None:
    from grondmotief.suggest.model import Seed
    from grondmotief.suggest.seed_cache import seed_from_bytes, seed_to_bytes

    seed = Seed([{"a", "c:bcdef"}, set(), {"h:x", "a"}], {"x": [1, None, 0], "@g": [None, 1, 0]}, [1.0, 0.5, 1.0])
    header, payload = seed_to_bytes(seed)
    assert seed_from_bytes(json.loads(json.dumps(header)), payload) == seed
    assert seed_from_bytes(header, payload[:-4]) is None


def test_without_a_shared_folder_the_codebook_cache_stays_in_the_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default nothing derived from the codebook's example passages leaves the study folder,
    and a second run reuses it (also after a transcript changed)."""
    monkeypatch.delenv("GRONDMOTIEF_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = _study(tmp_path / "s")
    out1, stats = _run(root)
    assert stats.seed_cached == 0
    inside = root / ".grondmotief" / "suggest" / "codebook"
    assert list(inside.glob("seed-*.bin")) and list(inside.glob("models-*.bin"))
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()
    org02 = root / "interviews" / "org02.md"
    org02.write_text(org02.read_text(encoding="utf-8") + "\nR: Nog één ding over de subsidie.\n", encoding="utf-8")
    _, stats = _run(root)
    assert stats.seed_cached >= 1
