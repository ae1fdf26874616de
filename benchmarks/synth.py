"""Synthetic studies for benchmarks, built from the demo transcripts' own paragraphs.

`make_study(dest, n_transcripts, words_per_transcript, seed)` writes a complete study
(settings, codebook, transcripts); `make_decisions(dest, n_decisions, coders, seed)` adds
codings files with correctly anchored decisions. Same arguments, same bytes.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TYPES = ["professionals-with-volunteers", "volunteers-only", "volunteer-centred"]
SECTORS = ["zorg", "welzijn", "sport", "cultuur", "openbare ruimte", "sociaal domein"]
ROLES = ["coördinator", "bestuurslid", "beroepskracht", "initiatiefnemer"]


def _demo_turns() -> tuple[list[str], list[str]]:
    """(interviewer paragraphs, respondent paragraphs) from the demo study."""
    questions, answers = [], []
    for path in sorted((REPO / "interviews").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for para in body.split("\n\n"):
            para = " ".join(para.split())
            if para.startswith("I: "):
                questions.append(para[3:])
            elif ":" in para[:4]:
                answers.append(para.split(": ", 1)[1])
    return questions, answers


class Vocabulary:
    """Dutch words drawn by frequency (wordfreq's list, Zipf-distributed ranks), so a corpus's
    vocabulary keeps growing with its size as real text does, unlike the demo repeated."""

    def __init__(self, rng: random.Random, size: int = 50_000) -> None:
        from wordfreq import top_n_list

        self.words = [w for w in top_n_list("nl", size) if w.isalpha()]
        self.rng = rng
        weights = [1.0 / (r + 10) for r in range(len(self.words))]  # Zipf with a flattened head
        total = sum(weights)
        acc, self.cum = 0.0, []
        for w in weights:
            acc += w / total
            self.cum.append(acc)

    def word(self) -> str:
        import bisect

        return self.words[min(bisect.bisect(self.cum, self.rng.random()), len(self.words) - 1)]

    def mix(self, text: str, share: float) -> str:
        """`text` with about `share` of its words replaced by drawn ones."""
        return " ".join(self.word() if self.rng.random() < share else w for w in text.split())


def make_study(
    dest: Path, n_transcripts: int, words_per_transcript: int = 2000, seed: int = 1, drawn: float = 0.0
) -> Path:
    """`drawn`: share of respondent words replaced by words drawn from a Dutch frequency list."""
    rng = random.Random(seed)
    questions, answers = _demo_turns()
    vocab = Vocabulary(rng) if drawn else None
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "interviews").mkdir(parents=True)
    (dest / "codings").mkdir()
    shutil.copytree(REPO / "codebooks", dest / "codebooks")
    (dest / "grondmotief.yaml").write_text("format_version: 1\ncodebook: grondmotieven\n", encoding="utf-8")
    for i in range(1, n_transcripts + 1):
        tid = f"syn{i:05d}"
        paras, words = [], 0
        while words < words_per_transcript:
            q, a = rng.choice(questions), rng.choice(answers)
            if vocab is not None:
                a = vocab.mix(a, drawn)
            paras += [f"I: {q}", f"R: {a}"]
            words += len(q.split()) + len(a.split())
        front = (
            f"---\nid: {tid}\ntitle: Synthetisch gesprek {i}\nattributes:\n"
            f"  organisation_type: {rng.choice(TYPES)}\n  sector: {rng.choice(SECTORS)}\n"
            f"  municipalities: {rng.randint(1, 4)}\n  respondent_role: {rng.choice(ROLES)}\n"
            f"interviewed: 2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            "speakers: {I: interviewer, R: respondent}\n---\n"
        )
        (dest / "interviews" / f"{tid}.md").write_text(front + "\n\n".join(paras) + "\n", encoding="utf-8")
    return dest


def make_decisions(dest: Path, n_decisions: int, coders: tuple[str, ...] = ("anna", "ben"), seed: int = 2) -> int:
    """Spread n_decisions over the coders on respondent passages, with real text hashes."""
    import sys

    sys.path.insert(0, str(REPO / "src"))
    from grondmotief.study.codings import Decision, render_codings
    from grondmotief.study.folder import Study

    rng = random.Random(seed)
    study = Study.open(dest)
    codes = study.codebook.order
    segments = study.coded_segments()
    per_coder = n_decisions // len(coders)
    for coder in coders:
        chosen: dict[tuple[str, str], Decision] = {}
        while len(chosen) < per_coder:
            seg = rng.choice(segments)
            code = rng.choice(codes)
            if (seg.id, code) in chosen:
                continue
            chosen[(seg.id, code)] = Decision(
                segment=seg.id,
                code=code,
                decision="accepted" if rng.random() < 0.8 else "rejected",
                source="manual",
                coder=coder,
                at="2026-01-01T00:00:00Z",
                text_sha=seg.sha,
                memo="" if rng.random() < 0.95 else "synthetisch memo",
            )
        (dest / "codings" / f"{coder}.jsonl").write_text(render_codings(chosen.values()), encoding="utf-8")
    return per_coder * len(coders)


def word_count(dest: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in (dest / "interviews").glob("*.md"))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=0)
    args = parser.parse_args()
    make_study(args.dest, args.transcripts, args.words)
    if args.decisions:
        make_decisions(args.dest, args.decisions)
    print(json.dumps({"transcripts": args.transcripts, "words": word_count(args.dest)}))
