"""The demo study with 25-character transcript ids (as real projects name them: organisation and place),
made from the repository's own interviews, codebook and codings by renaming, for the 80-column tests."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).parent.parent


def long_id(old: str) -> str:
    """org07 → voedselbank-hazelmonde-07 (25 characters, all sharing a 23-character prefix)."""
    return f"voedselbank-hazelmonde-{old[3:]}"


def make_wide_study(dest: Path) -> Path:
    shutil.copytree(REPO / "codebooks", dest / "codebooks")
    (dest / "interviews").mkdir(parents=True)
    (dest / "codings").mkdir()
    for src in sorted((REPO / "interviews").glob("org*.md")):
        new = long_id(src.stem)
        text = src.read_text(encoding="utf-8").replace(f"id: {src.stem}\n", f"id: {new}\n", 1)
        (dest / "interviews" / f"{new}.md").write_text(text, encoding="utf-8")
    for src in sorted((REPO / "codings").glob("*.jsonl")):
        lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
        renamed = [line.replace('"segment": "org', '"segment": "voedselbank-hazelmonde-', 1) for line in lines]
        (dest / "codings" / src.name).write_text("".join(renamed), encoding="utf-8")
    return dest
