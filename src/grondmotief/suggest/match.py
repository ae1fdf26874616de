"""Evidence: which codebook rules fire where in a segment.

Works on `Parsed` arrays, so cached transcripts are matched without spaCy. Each distinct
string of a transcript is looked up once (memoised across the run); only the few tokens
that hit something are visited in Python.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from grondmotief.nlp.wordlists import words
from grondmotief.suggest.parse_lists import is_lists
from grondmotief.suggest.results import HEAD, KEYWORD, LOOSE, PATTERN, PHRASE, RANK, SPLIT, STEM, Evidence
from grondmotief.suggest.rules import Rule, Word, fold

if TYPE_CHECKING:
    from grondmotief.suggest.parse import Parsed

GAP = 3  # a loose phrase may spread over its own length plus this many tokens
BOUNDARY = frozenset({".", "!", "?", ";", ":", "…"})
# A separable verb's particle is looked for up to SPLIT_REACH tokens after the finite verb, in
# the same clause: a comma, a conjunction or a relative pronoun starts another one.
SPLIT_REACH = 8
CLAUSE_END = BOUNDARY | words(
    ', ( ) " dat omdat als want maar en of die wat wie waar toen zodat terwijl wanneer nadat voordat'
)
# After these, "door", "aan", "op" are prepositions (door de gemeente), not a verb's particle.
NP_START = words(
    "de het een die dat deze dit mijn je jouw zijn haar ons onze hun jullie uw elk elke ieder iedere alle "
    "geen welke zo'n zo’n"
)
# Verbs too frequent in speech to anchor a phrase on ("leuk vinden" is looked for at "leuk").
FREQUENT_VERBS = words(
    "vinden weten kennen geven doen nemen zitten staan liggen gaan komen zien zeggen krijgen maken laten "
    "houden denken halen brengen zetten lopen werken vragen horen spreken praten"
)
# "mee te denken", "mee kunnen denken": what may stand between a particle and its infinitive.
VERB_CLUSTER = words("te willen kunnen moeten zullen mogen gaan laten blijven hoeven")
_NONE: frozenset[tuple[int, int]] = frozenset()
Hit = tuple[int, str]  # (rule index, kind); kind "anchor" marks a phrase's anchor word


class KeywordMatcher:
    def __init__(
        self,
        rules: list[Rule],
        head: Callable[[str], str | None] | None = None,
        common: frozenset[str] = frozenset(),
        modifier: Callable[[str], bool] | None = None,
    ) -> None:
        self.rules = rules
        self.exact: dict[str, list[Hit]] = {}
        self.stems: list[tuple[str, int, str]] = []
        self.anchor: dict[int, int] = {}
        for i, rule in enumerate(rules):
            if rule.is_phrase:
                # Anchor a phrase on a rare word, so fewer checks: the longest that is not a stop
                # word or an everyday verb ("geen", "voor", "vinden"); if all are, not a verb.
                def rarity(k: int, words: tuple[Word, ...] = rule.words) -> tuple[bool, bool, int, int]:
                    w = words[k]
                    rare = not (w.keys & common or w.keys & FREQUENT_VERBS)
                    verb = any(x.endswith("en") for x in w.keys)
                    return (rare, rare or not verb, max([len(x) for x in w.keys] + [len(w.stem or "")]), -k)

                a = 0 if rule.split else max(range(len(rule.words)), key=rarity)  # split: on the verb
                self.anchor[i] = a
                word, kind = rule.words[a], "anchor"
            else:
                word, kind = rule.words[0], KEYWORD
            for key in word.keys:
                self.exact.setdefault(key, []).append((i, kind))
            if word.stem is not None:
                self.stems.append((word.stem, i, kind))
        self._stems_by_len: dict[int, dict[str, list[tuple[int, str]]]] = {}
        for stem, i, kind in self.stems:
            self._stems_by_len.setdefault(len(stem), {}).setdefault(stem, []).append((i, kind))
        self._head = head
        self._modifier = modifier
        # What a compound head can hit (see _may_head): keys and stems of single-word rules.
        self._head_keys = frozenset(k for k, hits in self.exact.items() if any(kind != "anchor" for _, kind in hits))
        self._head_stems = [
            (length, frozenset(stem for stem, hits in stems.items() if any(kind != "anchor" for _, kind in hits)))
            for length, stems in sorted(self._stems_by_len.items())
        ]
        # Keywords that may be the head of a compound the pipeline cannot split (wijkverbinder):
        # by length, then folded keyword -> rules.
        self._heads: dict[int, dict[str, list[int]]] = {}
        if modifier is not None:
            for i, rule in enumerate(rules):
                if rule.head and not rule.is_phrase:
                    for key in rule.words[0].keys:
                        self._heads.setdefault(len(key), {}).setdefault(key, []).append(i)
        self._form_memo: dict[str, tuple[Hit, ...]] = {}
        self._lemma_memo: dict[str, tuple[Hit, ...]] = {}
        self._both_memo: dict[str, tuple[tuple[Hit, ...], tuple[Hit, ...]]] = {}
        self._members_memo: dict[str, frozenset[tuple[int, int]]] = {}
        self._flags_memo: dict[str, tuple[bool, bool, bool, bool]] = {}
        self._plans: dict[tuple[str, str], tuple[tuple[tuple[int, str, str], ...], tuple[int, ...]]] = {}
        # Phrase words by folded form and by stem length, so a string's places are found by
        # look-up rather than by trying every phrase word.
        self._word_keys: dict[str, list[tuple[int, int]]] = {}
        self._word_stems: dict[int, dict[str, list[tuple[int, int]]]] = {}
        for i, r in enumerate(rules):
            if r.is_phrase:
                for w, word in enumerate(r.words):
                    for key in word.keys:
                        self._word_keys.setdefault(key, []).append((i, w))
                    if word.stem is not None:
                        self._word_stems.setdefault(len(word.stem), {}).setdefault(word.stem, []).append((i, w))
        self._phrase_words = [
            (i, w, word) for i, r in enumerate(rules) if r.is_phrase for w, word in enumerate(r.words)
        ]
        # Quick rejections, exact: most strings of a corpus hit nothing, and these tell in one
        # C call what the per-length loops below would find by slicing the string many times.
        stems = {stem for by in self._stems_by_len.values() for stem in by}
        self._stem_min = min(map(len, stems), default=0)
        self._stem_starts = frozenset(stem[: self._stem_min] for stem in stems)
        # _may_head: a head key that ends the string, or a head stem anywhere inside it, starting
        # at offset 1 or later; the leftmost match decides (see _may_head).
        self._head_key_rx = _alternation(self._head_keys, r"\Z")
        self._head_stem_rx = _alternation({st for _, by in self._head_stems for st in by}, "")
        lengths = [length for length in self._heads]
        self._heads_min = min(lengths, default=0)
        self._heads_ends = frozenset(k[-self._heads_min :] for by in self._heads.values() for k in by)

    # Per string ----------------------------------------------------------------
    def both_hits(self, s: str) -> tuple[tuple[Hit, ...], tuple[Hit, ...]]:
        """(hits as a lemma, hits as a word form), memoised: one lookup per distinct string."""
        got = self._both_memo.get(s)
        if got is None:
            got = self._both_memo[s] = (self.lemma_hits(s), self.form_hits(s))
        return got

    N_FLAGS = 4

    def flags(self, s: str) -> tuple[bool, bool, bool, bool]:
        """Per string: does it hit a rule as a lemma, as a word form; can it fill a word of a
        phrase; is it a sentence boundary? Vectorised per transcript (see TranscriptHits)."""
        got = self._flags_memo.get(s)
        if got is None:
            lemma, form = self.both_hits(s)
            got = self._flags_memo[s] = (bool(lemma), bool(form), bool(self.members(s)), s in BOUNDARY)
        return got

    def form_hits(self, s: str) -> tuple[Hit, ...]:
        got = self._form_memo.get(s)
        if got is None:
            got = self._form_memo[s] = tuple(self._direct(fold(s)))
        return got

    def lemma_hits(self, s: str) -> tuple[Hit, ...]:
        got = self._lemma_memo.get(s)
        if got is None:
            f = fold(s)
            hits = self._direct(f)
            head = self._head(s) if self._head is not None and self._may_head(f) else None
            done = {i for i, _ in hits}
            if head:
                fh = fold(head)
                if fh != f:
                    rules = self.rules
                    hits += [
                        (i, HEAD)
                        for i, kind in self._direct(fh)
                        if kind != "anchor" and i not in done and rules[i].head
                    ]
                    done.update(i for i, _ in hits)
            may = self._heads_min and len(f) >= self._heads_min + 3 and f[-self._heads_min :] in self._heads_ends
            for length, heads in self._heads.items() if may else ():  # heads the pipeline cannot split (wijkverbinder)
                if len(f) >= length + 3 and f[-length:] in heads and self._modifier(f[:-length]):  # type: ignore[misc]
                    hits += [(i, HEAD) for i in heads[f[-length:]] if i not in done]
            got = self._lemma_memo[s] = tuple(hits)
        return got

    def _may_head(self, f: str) -> bool:
        """Could the pipeline's compound head of `f` hit a rule? Only if a keyword, or a stem,
        begins somewhere inside it (the head is a proper suffix). Splitting a compound costs
        far more than this look, and most long words contain no keyword at all."""
        if len(f) < 8 and "-" not in f:
            return False  # compound_head leaves these alone
        # Some i in 1 .. len(f) - 2 where f[i:] is a head key or f[i:] starts with a head stem.
        # The leftmost match from offset 1 has the smallest such i, so it alone decides.
        last = len(f) - 2
        for rx in (self._head_key_rx, self._head_stem_rx):
            m = rx.search(f, 1) if rx is not None else None
            if m is not None and m.start() <= last:
                return True
        return False

    def members(self, s: str) -> frozenset[tuple[int, int]]:
        """The (phrase rule, word position) pairs this string can fill; memoised."""
        got = self._members_memo.get(s)
        if got is None:
            f = fold(s)
            found = list(self._word_keys.get(f, ()))
            for length, stems in self._word_stems.items():
                if len(f) >= length:
                    found += stems.get(f[:length], ())
            got = self._members_memo[s] = frozenset(found) if found else _NONE
        return got

    def _direct(self, f: str) -> list[Hit]:
        hits = list(self.exact.get(f, ()))
        if not self._stem_min or f[: self._stem_min] not in self._stem_starts:
            return hits  # no stem begins this string (also: shorter than every stem)
        for length, stems in self._stems_by_len.items():
            for i, kind in stems.get(f[:length], ()) if len(f) >= length else ():
                hits.append((i, kind if kind == "anchor" or len(f) == length else STEM))
        return hits

    # Per transcript ------------------------------------------------------------
    def match_all(self, table: TranscriptHits, texts: dict[str, str]) -> dict[str, list[tuple[str, Evidence]]]:
        """(code, evidence) for every rule that fires, per segment key in `texts`, in text order.

        One pass over the transcript's hit tokens (usually a few per cent of all tokens)."""
        parsed = table.parsed
        hit_list, cut = table.hits, table.cut  # hits of segment si: hit_list[cut[si]:cut[si + 1]]
        if not hit_list:
            return {}
        bounds = parsed.bounds.tolist()
        keys, strings, rules, anchor = parsed.keys, parsed.strings, self.rules, self.anchor
        L, W, S, E = table.L, table.W, table.S, table.E
        member = table.member if self._phrase_words else []
        mm, members, plans = self._members_memo, self.members, self._plans
        found: dict[int, tuple[list[tuple[int, Evidence]], dict[tuple[int, int, int], Evidence]]] = {}
        for si in range(len(keys)):
            if cut[si] == cut[si + 1]:
                continue
            text = texts.get(keys[si])
            if text is None:
                continue
            lo, hi = bounds[si], bounds[si + 1]
            singles: list[tuple[int, Evidence]] = []
            phrases: dict[tuple[int, int, int], Evidence] = {}
            found[si] = (singles, phrases)
            for t in hit_list[cut[si] : cut[si + 1]]:
                lem, form = strings[L[t]], strings[W[t]]
                plan = plans.get((lem, form))
                if plan is None:
                    plan = self._plan(lem, form)
                best, anchors = plan
                for i in anchors:
                    rule, a = rules[i], anchor[i]
                    if rule.split:
                        got = self._split_verb(table, lo, hi, t, i, text)
                        if got is not None:
                            phrases.setdefault(got[0], got[1])
                        continue
                    # A phrase: first its words in order around the anchor (cheap), else loosely.
                    n = len(rule.words)
                    first = t - a
                    exact = lo <= first and first + n <= hi
                    if exact:
                        for w in range(n):
                            if w == a:
                                continue
                            j = first + w
                            if not member[j]:
                                exact = False
                                break
                            sl, sw = strings[L[j]], strings[W[j]]
                            if (i, w) not in (mm.get(sl) or members(sl)) and (i, w) not in (mm.get(sw) or members(sw)):
                                exact = False
                                break
                    if exact:
                        s, e = S[first], E[first + n - 1]
                        lemma = " ".join(strings[L[j]] for j in range(first, first + n))
                        phrases.setdefault(
                            (i, first, first + n - 1), Evidence(text[s:e], lemma, s, e, rule.label, PHRASE)
                        )
                    elif rule.loose:
                        got = self._loose_phrase(table, lo, hi, t, i, text)
                        if got is not None:
                            phrases.setdefault(got[0], got[1])
                if best:
                    s, e = S[t], E[t]
                    word = text[s:e]
                    for i, kind, label in best:
                        singles.append((i, Evidence(word, lem, s, e, label, kind)))
        out: dict[str, list[tuple[str, Evidence]]] = {}
        for si, (singles, phrases) in found.items():
            evs = [(rules[i].code, ev) for (i, _, _), ev in phrases.items()]
            covered = [(code, ev.start, ev.end) for code, ev in evs]
            for i, ev in singles:
                code = rules[i].code
                if not covered or not any(c == code and a <= ev.start and ev.end <= b for c, a, b in covered):
                    evs.append((code, ev))
            evs.sort(key=lambda p: (p[1].start, p[1].end, p[1].rule, p[0]))
            out[keys[si]] = evs
        return out

    def _plan(self, lemma: str, form: str) -> tuple[tuple[tuple[int, str, str], ...], tuple[int, ...]]:
        """What a token with this lemma and form sets off, memoised per pair: for single words the
        strongest rule per code (rule, kind, evidence label), and the phrases it anchors."""
        lh = self.both_hits(lemma)[0]
        fh = self.both_hits(form)[1]
        hits = lh if not fh or fh == lh else lh + tuple(h for h in fh if h not in lh)
        best: dict[str, tuple[int, int, str]] = {}  # code -> (rank, rule, kind): one evidence per token and code
        anchors = []
        for i, kind in hits:
            if kind == "anchor":
                anchors.append(i)
                continue
            code = self.rules[i].code
            if code not in best or RANK[kind] > best[code][0]:
                best[code] = (RANK[kind], i, kind)
        singles = tuple(
            (i, kind, self.rules[i].label if kind != HEAD else "head:" + self.rules[i].label.split(":", 1)[1])
            for _, i, kind in best.values()
        )
        got = self._plans[(lemma, form)] = (singles, tuple(anchors))
        return got

    def _loose_phrase(
        self, table: TranscriptHits, lo: int, hi: int, t: int, i: int, text: str
    ) -> tuple[tuple[int, int, int], Evidence] | None:
        """A phrase with a verb, its words in any order within its length + GAP tokens of the
        anchor at `t`, not crossing a sentence boundary; the nearest candidate for each word."""
        rule = self.rules[i]
        n, a = len(rule.words), self.anchor[i]
        strings = table.parsed.strings
        L, W, member, boundary = table.L, table.W, table.member, table.boundary
        members = self.members
        reach = n - 1 + GAP
        left, right = t, t
        stop = lo if lo > t - reach else t - reach
        while left > stop and not boundary[left - 1]:
            left -= 1
        stop = hi - 1 if hi - 1 < t + reach else t + reach
        while right < stop and not boundary[right + 1]:
            right += 1
        mm = self._members_memo
        window = []  # (position, the phrase words it can fill)
        for j in range(left, right + 1):
            if not member[j] or j == t:
                continue
            sl, sw = strings[L[j]], strings[W[j]]
            ml = mm.get(sl)
            if ml is None:
                ml = members(sl)
            mw = mm.get(sw)
            if mw is None:
                mw = members(sw)
            if ml or mw:
                window.append((j, ml | mw if mw else ml))
        chosen, used = [t], {t}
        for w in range(n):
            if w == a:
                continue
            iw = (i, w)
            pick, dist = -1, 0
            for j, m in window:  # the nearest free candidate; on a tie the earlier one
                if iw in m and j not in used:
                    d = j - t if j > t else t - j
                    if pick < 0 or d < dist:
                        pick, dist = j, d
            if pick < 0:
                return None
            used.add(pick)
            chosen.append(pick)
        chosen.sort()
        if chosen[-1] - chosen[0] + 1 > n + GAP:
            return None
        s, e = table.S[chosen[0]], table.E[chosen[-1]]
        lemma = " ".join(strings[L[j]] for j in chosen)
        return (i, chosen[0], chosen[-1]), Evidence(text[s:e], lemma, s, e, rule.label, LOOSE)

    def _split_verb(
        self, table: TranscriptHits, lo: int, hi: int, t: int, i: int, text: str
    ) -> tuple[tuple[int, int, int], Evidence] | None:
        """A separable verb at `t` (its verb part) with its particle: later in the clause after
        a finite verb ("dacht echt mee", "sturen ze door naar"), or just before an infinitive
        ("mee te denken", "mee kunnen denken"). A participle is never split (gestuurd door de
        gemeente); a particle followed by an article or pronoun is a preposition."""
        strings, L, W = table.parsed.strings, table.L, table.W
        particle = next(iter(self.rules[i].words[1].keys))
        form, lemma = strings[W[t]], strings[L[t]]
        found = None
        if not (form.startswith("ge") and not lemma.startswith("ge")):
            for j in range(t + 1, min(hi, t + 1 + SPLIT_REACH)):
                w = strings[W[j]]
                if w == particle:
                    if j + 1 >= hi or strings[W[j + 1]] not in NP_START:
                        found = (t, j)
                    break
                if w in CLAUSE_END:
                    break
        if found is None and form == lemma:
            j = t - 1
            while j >= max(lo, t - 3):
                w = strings[W[j]]
                if w == particle:
                    found = (j, t)
                    break
                if w not in VERB_CLUSTER and strings[L[j]] not in VERB_CLUSTER:
                    break
                j -= 1
        if found is None:
            return None
        a, b = found
        s, e = table.S[a], table.E[b]
        ev = Evidence(text[s:e], f"{strings[L[a]]} {strings[L[b]]}", s, e, self.rules[i].label, SPLIT)
        return (i, a, b), ev


def _alternation(words: set[str] | frozenset[str], end: str) -> re.Pattern[str] | None:
    """One regex for any of these literal strings (longest first), followed by `end`."""
    if not words:
        return None
    return re.compile("(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")" + end)


class TranscriptHits:
    """Which tokens of one Parsed hit any rule, as Python lists for the matcher's token walk
    (indexing numpy arrays one element at a time is several times slower). A Parsed read as
    lists (suggest/parse_lists.py, a small study's search) is done in Python, without numpy."""

    def __init__(self, matcher: KeywordMatcher, parsed: Parsed) -> None:
        self.parsed = parsed
        self.matcher = matcher
        self.L, self.W = parsed.lemma.tolist(), parsed.lower.tolist()
        self.S, self.E = parsed.starts.tolist(), parsed.ends.tolist()
        self._lists = is_lists(parsed)
        self.hits: list[int]  # the tokens that hit, in order
        self.cut: list[int]  # hits of segment si: hits[cut[si]:cut[si + 1]]
        if self._lists:
            flags = matcher.flags
            self._rows = [flags(s) for s in parsed.strings]  # bools already
            rows = self._rows
            self.hits = [t for t, (li, wi) in enumerate(zip(self.L, self.W, strict=True)) if rows[li][0] or rows[wi][1]]
            self.cut = [bisect_left(self.hits, b) for b in parsed.bounds.tolist()]
            return
        import numpy as np

        if parsed.flags is not None:  # fresh from the pipeline: flags came with the hashes
            bits = parsed.flags
        else:
            flags = matcher.flags
            bits = np.array([flags(s) for s in parsed.strings], dtype=bool).reshape(-1, matcher.N_FLAGS)
        self._bits = bits
        no_strings = np.zeros(0, dtype=bool)
        mask = bits[:, 0][parsed.lemma] | bits[:, 1][parsed.lower] if len(parsed.strings) else no_strings
        hit = np.flatnonzero(mask)
        self.hits = hit.tolist()
        self.cut = np.searchsorted(hit, parsed.bounds).tolist()

    @cached_property
    def member(self) -> list[bool]:
        """Per token: can it fill a word of some phrase (as lemma or form)?"""
        if not len(self.parsed.strings):
            return []
        if self._lists:
            rows = self._rows
            return [rows[li][2] or rows[wi][2] for li, wi in zip(self.L, self.W, strict=True)]
        m = self._bits[:, 2]
        return (m[self.parsed.lemma] | m[self.parsed.lower]).tolist()  # type: ignore[no-any-return]

    @cached_property
    def boundary(self) -> list[bool]:
        """Per token: does it end a sentence (. ! ? ; : …)?"""
        if not len(self.parsed.strings):
            return []
        if self._lists:
            rows = self._rows
            return [rows[wi][3] for wi in self.W]
        return self._bits[:, 3][self.parsed.lower].tolist()  # type: ignore[no-any-return]


def pattern_evidence(
    docs: dict[str, Any], matcher: Any, labels: dict[int, tuple[str, str]], parsed: Parsed, texts: dict[str, str]
) -> dict[str, list[tuple[str, Evidence]]]:
    """spaCy token patterns: segment key → [(code, evidence)].

    Docs are live ones from the pipeline or rebuilt from `parsed` (same non-space tokens, same
    order), so a match's token indices map onto `parsed` offsets in the segment text either way.
    """
    out: dict[str, list[tuple[str, Evidence]]] = {}
    for key, doc in docs.items():
        lo, _ = parsed.span(key) or (0, 0)
        index = [t.i for t in doc if not t.is_space]  # doc token → parsed token
        where = {i: n for n, i in enumerate(index)}
        text = texts[key]
        for match_id, s, e in matcher(doc):
            toks = [where[i] for i in range(s, e) if i in where]
            if not toks:
                continue
            code, label = labels[match_id]
            start, end = int(parsed.starts[lo + toks[0]]), int(parsed.ends[lo + toks[-1]])
            lemma = " ".join(parsed.strings[parsed.lemma[lo + n]] for n in toks)
            out.setdefault(key, []).append((code, Evidence(text[start:end], lemma, start, end, label, PATTERN)))
    return out


def rebuild_docs(nlp: Any, parsed: Parsed, keys: list[str], texts: dict[str, str]) -> dict[str, Any]:
    """Docs with the cached tokens and lemmas, without running the pipeline."""
    from spacy.tokens import Doc

    out = {}
    for key in keys:
        lo, hi = parsed.span(key) or (0, 0)
        text = texts[key]
        words = [text[int(parsed.starts[t]) : int(parsed.ends[t])] for t in range(lo, hi)]
        spaces = [int(parsed.ends[t]) < len(text) and text[int(parsed.ends[t])].isspace() for t in range(lo, hi)]
        lemmas = [parsed.strings[parsed.lemma[t]] for t in range(lo, hi)]
        out[key] = Doc(nlp.vocab, words=words, spaces=spaces, lemmas=lemmas) if words else Doc(nlp.vocab, words=[])
    return out
