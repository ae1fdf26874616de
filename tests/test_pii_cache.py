"""The personal-data scan is remembered per passage text (issue 13, item 14): a second `check`
reads it, an edited passage or changed privacy settings are scanned afresh, and the cache holds
no text."""

from __future__ import annotations

import zlib
from pathlib import Path

from conftest import run_cli


def _cache_files(study: Path) -> list[Path]:
    return sorted((study / ".grondmotief" / "pii").glob("scan-*.bin"))


def test_second_check_reads_the_cache_and_edits_are_scanned_again(foundation_study: Path) -> None:
    assert run_cli("--study", str(foundation_study), "check").exit_code == 0
    (cache,) = _cache_files(foundation_study)
    payload = zlib.decompress(cache.read_bytes().split(b"\n", 1)[1]).decode("utf-8")
    for md in (foundation_study / "interviews").glob("*.md"):
        body = md.read_text(encoding="utf-8").split("---", 2)[-1]
        words = [w for w in body.split() if len(w) > 8 and w.isalpha()]
        assert not any(w in payload for w in words), "the cache must hold no passage text"
    stamp = cache.stat().st_mtime_ns
    assert run_cli("--study", str(foundation_study), "check").exit_code == 0
    assert cache.stat().st_mtime_ns == stamp, "an unchanged study rewrites nothing"

    md = sorted((foundation_study / "interviews").glob("*.md"))[0]
    text = md.read_text(encoding="utf-8")
    md.write_text(text.rstrip("\n") + " Bel me op 06-12345678.\n", encoding="utf-8")
    r = run_cli("--study", str(foundation_study), "check")
    assert r.exit_code == 1 and "phone" in (r.stdout + r.stderr)


def test_privacy_settings_start_a_new_cache(foundation_study: Path) -> None:
    assert run_cli("--study", str(foundation_study), "check").exit_code == 0
    before = _cache_files(foundation_study)
    settings = foundation_study / "grondmotief.yaml"
    text = settings.read_text(encoding="utf-8")
    md = sorted((foundation_study / "interviews").glob("*.md"))[0]
    word = next(w for w in md.read_text(encoding="utf-8").split("---", 2)[-1].split() if len(w) > 6 and w.isalpha())
    assert "privacy:" not in text
    settings.write_text(text + f"privacy:\n  forbidden_names: [{word}]\n", encoding="utf-8")
    r = run_cli("--study", str(foundation_study), "check")
    assert r.exit_code == 1 and "forbidden name" in (r.stdout + r.stderr)
    after = _cache_files(foundation_study)
    assert len(after) == 1 and after != before


def test_a_corrupt_cache_is_rebuilt(foundation_study: Path) -> None:
    assert run_cli("--study", str(foundation_study), "check").exit_code == 0
    (cache,) = _cache_files(foundation_study)
    cache.write_bytes(b"GMPII1\nnot zlib at all")
    assert run_cli("--study", str(foundation_study), "check").exit_code == 0
    assert zlib.decompress(cache.read_bytes().split(b"\n", 1)[1])
