"""How far to trust the suggestions: precision, recall and F1 against one coder's decisions.

Which passages count: only those the coder decided on at all (any code, accepted or
rejected). On such a passage a code is "applies" when the coder accepted exactly that code,
and "does not apply" otherwise (rejected, or simply not chosen). Passages the coder never
looked at are left out: not coding them says nothing. Codes are compared exactly (a
`scarcity` decision is not a `scarcity-abundance` one), as suggestions are made per code.

The keyword engine needs no training and is scored on all those passages. The model and the
blend are cross-validated by transcript: transcripts are dealt into k folds in id order
(deterministic), each fold is predicted by models trained on the other folds only, so a
model is never tested on an interview it learnt from. A code whose training part has too few
examples in a fold gets no model there (counted as not suggested by the model, and as the
keyword score in the blend). The blend is scored for every code once any code has a model,
so its macro average compares with the keyword engine's; the model's covers only codes that
had a model in at least one fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grondmotief.core.cachefile import segment_key
from grondmotief.core.errors import GrondmotiefError
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import parse_segment_ref
from grondmotief.suggest.engine import Engine, Stats
from grondmotief.suggest.model import Examples, examples_from, gate_id, train_all, with_gates
from grondmotief.suggest.score import blend, compete, gate
from grondmotief.suggest.semantic import mix_group

ENGINES = ("keyword", "model", "blend")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class CodeResult:
    code: str
    label: str
    group: str
    support: int  # passages where the coder accepted the code
    scores: dict[str, Counts]  # engine → counts; "model"/"blend" missing when no fold had a model
    folds_with_model: int = 0


@dataclass
class Evaluation:
    coder: str
    threshold: float
    passages: int
    transcripts: int
    folds: int
    codes: list[CodeResult] = field(default_factory=list)
    unsuggested: dict[str, int] = field(
        default_factory=dict
    )  # group → decided passages with no suggestion above threshold

    def macro(self, group: str, engine: str) -> tuple[float, float, float] | None:
        """Mean P, R, F1 over the group's codes that the coder applied at least once."""
        rows = [c.scores[engine] for c in self.codes if c.group == group and c.support > 0 and engine in c.scores]
        if not rows:
            return None
        return (
            float(np.mean([r.precision for r in rows])),
            float(np.mean([r.recall for r in rows])),
            float(np.mean([r.f1 for r in rows])),
        )

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(c.group for c in self.codes))


def evaluate(
    study: Study,
    coder: str,
    *,
    threshold: float | None = None,
    folds: int = 5,
    codes: list[str] | None = None,
    stats: Stats | None = None,
) -> Evaluation:
    cb = study.codebook
    if coder not in study.coders():
        raise GrondmotiefError(
            f"no decisions by coder '{coder}' to evaluate against "
            f"(coders with codings: {', '.join(study.coders()) or 'none'})"
        )
    limit = study.settings.suggest.threshold if threshold is None else threshold
    chosen = [cb.get(c).id for c in codes] if codes else list(cb.order)
    coded = {s.id: s for s in study.coded_segments()}
    triples = [
        (a.segment, a.decision.code, a.decision.decision)
        for a in study.decisions([coder])
        if a.status != "orphan" and a.decision.code in cb.codes and a.segment in coded
    ]
    if not triples:
        raise GrondmotiefError(f"coder '{coder}' has no decisions on coded passages to evaluate against")
    decided = sorted({s for s, _, _ in triples}, key=_seg_order)
    engine = Engine(study, None, use_model=False, stats=stats)
    examples = with_gates(examples_from(triples, cb.order), engine.gates)
    gates = {gate_id(g): set(codes) for g, codes in engine.gates.items()}
    keyword: dict[tuple[str, str], float] = {}
    by_tid: dict[str, list[str]] = {}
    for sid in decided:
        by_tid.setdefault(parse_segment_ref(sid)[0], []).append(sid)
    for tid, sids in by_tid.items():
        segs = [coded[s] for s in sids]
        entries = engine.transcript_entries(study.transcript(tid), segs)
        for seg in segs:
            for code, _score, kw, _p, _src, _ev in entries.get(segment_key(seg.text), []):
                keyword[(seg.id, code)] = float(kw)
    tids = sorted(by_tid)
    k = min(folds, len(tids))
    fold_of = {tid: i % k for i, tid in enumerate(tids)} if k >= 2 else {}
    model_p: dict[tuple[str, str], float] = {}
    has_model: dict[str, int] = {}
    # the semantic models (see semantic.py), per fold as well: (passage, group) -> class -> p
    sets = study.settings.suggest
    semantic_on = sets.model and sets.seed_model and sets.semantic and bool(engine.groups)
    semantic_p: dict[tuple[str, str], dict[str, float]] = {}
    if k >= 2 and study.settings.suggest.model:
        feats = engine.features(decided)
        for f in range(k):
            train_ids = {s for s in decided if fold_of[parse_segment_ref(s)[0]] != f}
            test_ids = [s for s in decided if fold_of[parse_segment_ref(s)[0]] == f]
            part = Examples({c: {s: y for s, y in lab.items() if s in train_ids} for c, lab in examples.labels.items()})
            seed = engine.seed if study.settings.suggest.seed_model else None
            models = train_all(part, feats, study.settings.suggest.min_examples, list(chosen) + list(gates), seed)
            for code, m in models.items():
                has_model[code] = has_model.get(code, 0) + 1
                for sid, p in zip(test_ids, m.predict([feats[s] for s in test_ids]), strict=True):
                    model_p[(sid, code)] = float(p)
            if semantic_on and test_ids:
                vecs = engine.vectors.passages([coded[s].text for s in test_ids])
                for group, sm in engine.train_semantic(examples, train_ids).items():
                    for sid, row in zip(test_ids, sm.predict(vecs), strict=True):
                        semantic_p[(sid, group)] = dict(zip(sm.classes, map(float, row), strict=True))
    engine.writer.flush()
    blended: dict[tuple[str, str], float] = {}
    if has_model:  # what `suggest` shows: the keyword score where a code has no model; themes compete
        for sid in decided:
            row = {}
            for code in chosen:
                kw = keyword.get((sid, code), 0.0)
                p = model_p.get((sid, code))
                row[code] = kw if p is None else blend(kw, p)
            row = compete(row, engine.competing)
            for gid, members in gates.items():
                about = model_p.get((sid, gid))
                if about is not None:
                    row = gate(row, members, about)
            for group, of_group in engine.groups.items():
                got = semantic_p.get((sid, group))
                if got is not None:
                    row = mix_group(row, of_group, got)
            for code, v in row.items():
                blended[(sid, code)] = v
    result = Evaluation(coder, limit, len(decided), len(tids), k if k >= 2 else 0)
    shown = blended if has_model else keyword
    for group in dict.fromkeys(cb.codes[c].group for c in chosen):
        codes_of = [c for c in chosen if cb.codes[c].group == group]
        result.unsuggested[group] = sum(
            1 for sid in decided if not any(_shown(shown.get((sid, c), 0.0), limit) for c in codes_of)
        )
    for code in chosen:
        labels = examples.labels.get(code, {})
        counts = {"keyword": Counts()}
        if has_model.get(code):
            counts["model"] = Counts()
        if has_model:  # what `suggest` shows: the keyword score where a code has no model
            counts["blend"] = Counts()
        for sid in decided:
            actual = bool(labels.get(sid, 0))
            kw = keyword.get((sid, code), 0.0)
            counts["keyword"].add(kw >= limit and kw > 0, actual)
            p = model_p.get((sid, code))
            if "model" in counts:
                counts["model"].add(p is not None and p >= limit, actual)
            if "blend" in counts:
                b = blended.get((sid, code), 0.0)
                counts["blend"].add(b >= limit and b > 0, actual)
        c = cb.codes[code]
        result.codes.append(CodeResult(code, c.label, c.group, sum(labels.values()), counts, has_model.get(code, 0)))
    return result


def _shown(score: float, limit: float) -> bool:
    return score >= limit and score > 0


def _seg_order(sid: str) -> tuple[str, int]:
    return parse_segment_ref(sid)
