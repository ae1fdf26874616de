"""Evidence: which codebook rules fire where in a segment.

Works on `Parsed` arrays, so cached transcripts are matched without spaCy. Each distinct
string of a transcript is looked up once (memoised across the run); only the few tokens
that hit something are visited in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grondmotief.suggest.parse import Parsed
from grondmotief.suggest.results import HEAD, KEYWORD, LOOSE, PATTERN, PHRASE, RANK, STEM, Evidence
from grondmotief.suggest.rules import Rule, Word, fold

GAP = 3  # a loose phrase may spread over its own length plus this many tokens
BOUNDARY = frozenset({".", "!", "?", ";", ":", "…"})
Hit = tuple[int, str]  # (rule index, kind); kind "anchor" marks a phrase's anchor word


class KeywordMatcher:
    def __init__(
        self, rules: list[Rule], head: Callable[[str], str | None] | None = None, common: frozenset[str] = frozenset()
    ) -> None:
        self.rules = rules
        self.exact: dict[str, list[Hit]] = {}
        self.stems: list[tuple[str, int, str]] = []
        self.anchor: dict[int, int] = {}
        for i, rule in enumerate(rules):
            if rule.is_phrase:
                # Anchor a phrase on a rare word (not "geen" or "voor"; the longest), so fewer checks.
                def rarity(k: int, words: tuple[Word, ...] = rule.words) -> tuple[bool, int, int]:
                    w = words[k]
                    return (not (w.keys & common), max([len(x) for x in w.keys] + [len(w.stem or "")]), -k)

                a = max(range(len(rule.words)), key=rarity)
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
        self._form_memo: dict[str, tuple[Hit, ...]] = {}
        self._lemma_memo: dict[str, tuple[Hit, ...]] = {}
        self._both_memo: dict[str, tuple[tuple[Hit, ...], tuple[Hit, ...]]] = {}
        self._members_memo: dict[str, frozenset[tuple[int, int]]] = {}
        self._phrase_words = [
            (i, w, word) for i, r in enumerate(rules) if r.is_phrase for w, word in enumerate(r.words)
        ]

    # Per string ----------------------------------------------------------------
    def both_hits(self, s: str) -> tuple[tuple[Hit, ...], tuple[Hit, ...]]:
        """(hits as a lemma, hits as a word form), memoised: one lookup per distinct string."""
        got = self._both_memo.get(s)
        if got is None:
            got = self._both_memo[s] = (self.lemma_hits(s), self.form_hits(s))
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
            head = self._head(s) if self._head is not None else None
            if head:
                fh = fold(head)
                if fh != f:
                    done = {i for i, _ in hits}
                    hits += [(i, HEAD) for i, kind in self._direct(fh) if kind != "anchor" and i not in done]
            got = self._lemma_memo[s] = tuple(hits)
        return got

    def members(self, s: str) -> frozenset[tuple[int, int]]:
        """The (phrase rule, word position) pairs this string can fill; memoised."""
        got = self._members_memo.get(s)
        if got is None:
            f = fold(s)
            got = self._members_memo[s] = (
                frozenset(
                    (i, w)
                    for i, w, word in self._phrase_words
                    if f in word.keys or (word.stem is not None and f.startswith(word.stem))
                )
                if self._phrase_words
                else frozenset()
            )
        return got

    def _direct(self, f: str) -> list[Hit]:
        hits = list(self.exact.get(f, ()))
        for length, stems in self._stems_by_len.items():
            for i, kind in stems.get(f[:length], ()) if len(f) >= length else ():
                hits.append((i, kind if kind == "anchor" or len(f) == length else STEM))
        return hits

    # Per transcript ------------------------------------------------------------
    def match_all(self, table: TranscriptHits, texts: dict[str, str]) -> dict[str, list[tuple[str, Evidence]]]:
        """(code, evidence) for every rule that fires, per segment key in `texts`, in text order.

        One pass over the transcript's hit tokens (usually a few per cent of all tokens)."""
        parsed = table.parsed
        hit = np.flatnonzero(table.mask)
        if not len(hit):
            return {}
        seg_of = (np.searchsorted(parsed.bounds, hit, side="right") - 1).tolist()
        bounds = parsed.bounds.tolist()
        keys, strings, rules, anchor = parsed.keys, parsed.strings, self.rules, self.anchor
        L, W, S, E = table.L, table.W, table.S, table.E
        mm, members = self._members_memo, self.members
        found: dict[int, tuple[list[tuple[int, Evidence]], dict[tuple[int, int, int], Evidence]]] = {}
        for t, si in zip(hit.tolist(), seg_of, strict=True):
            text = texts.get(keys[si])
            if text is None:
                continue
            lo, hi = bounds[si], bounds[si + 1]
            singles, phrases = found.setdefault(si, ([], {}))
            best: dict[str, tuple[int, int, str]] = {}  # code → (rank, rule, kind): one evidence per token and code
            for i, kind in table.hits(t):
                if kind != "anchor":
                    code = rules[i].code
                    if code not in best or RANK[kind] > best[code][0]:
                        best[code] = (RANK[kind], i, kind)
                    continue
                # A phrase: first the words in order around the anchor (cheap), else a loose match.
                rule, a = rules[i], anchor[i]
                n, first = len(rule.words), t - anchor[i]
                exact = lo <= first and first + n <= hi
                w = 0
                while exact and w < n:
                    if w != a:
                        j = first + w
                        sl, sw = strings[L[j]], strings[W[j]]
                        exact = (i, w) in (mm.get(sl) or members(sl)) or (i, w) in (mm.get(sw) or members(sw))
                    w += 1
                if exact:
                    s, e = S[first], E[first + n - 1]
                    lemma = " ".join(strings[L[j]] for j in range(first, first + n))
                    phrases.setdefault((i, first, first + n - 1), Evidence(text[s:e], lemma, s, e, rule.label, PHRASE))
                elif rule.loose:
                    got = self._loose_phrase(table, lo, hi, t, i, text)
                    if got is not None:
                        phrases.setdefault(got[0], got[1])
            if best:
                s, e = S[t], E[t]
                for _, i, kind in best.values():
                    label = rules[i].label if kind != HEAD else "head:" + rules[i].label.split(":", 1)[1]
                    singles.append((i, Evidence(text[s:e], strings[L[t]], s, e, label, kind)))
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

    def _loose_phrase(
        self, table: TranscriptHits, lo: int, hi: int, t: int, i: int, text: str
    ) -> tuple[tuple[int, int, int], Evidence] | None:
        """A phrase with a verb, its words in any order within its length + GAP tokens of the
        anchor at `t`, not crossing a sentence boundary; the nearest candidate for each word."""
        rule = self.rules[i]
        n, a = len(rule.words), self.anchor[i]
        strings = table.parsed.strings
        L, W = table.L, table.W
        members = self.members
        reach = n - 1 + GAP
        left, right = t, t
        while left > max(lo, t - reach) and strings[W[left - 1]] not in BOUNDARY:
            left -= 1
        while right < min(hi - 1, t + reach) and strings[W[right + 1]] not in BOUNDARY:
            right += 1
        chosen, used = [t], {t}
        for w in range(n):
            if w == a:
                continue
            cands = [
                j
                for j in range(left, right + 1)
                if j not in used and ((i, w) in members(strings[L[j]]) or (i, w) in members(strings[W[j]]))
            ]
            if not cands:
                return None
            j = min(cands, key=lambda j: (abs(j - t), j))
            used.add(j)
            chosen.append(j)
        if max(chosen) - min(chosen) + 1 > n + GAP:
            return None
        chosen.sort()
        s, e = table.S[chosen[0]], table.E[chosen[-1]]
        lemma = " ".join(strings[L[j]] for j in chosen)
        return (i, chosen[0], chosen[-1]), Evidence(text[s:e], lemma, s, e, rule.label, LOOSE)


class HashFlags:
    """Per spaCy string hash, for the whole run: does the string hit a rule as a lemma, and as a
    word form? Looked up for a transcript's unique hashes in a few numpy calls; only strings never
    seen before in this run are matched in Python."""

    def __init__(self, matcher: KeywordMatcher) -> None:
        self.matcher = matcher
        self.keys = np.zeros(0, dtype=np.uint64)
        self.lemma = np.zeros(0, dtype=bool)
        self.form = np.zeros(0, dtype=bool)

    def lookup(self, hashes: np.ndarray, strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Flags for sorted unique `hashes` (with their `strings`)."""
        pos = np.searchsorted(self.keys, hashes)
        found = np.zeros(len(hashes), dtype=bool)
        inside = pos < len(self.keys)
        found[inside] = self.keys[pos[inside]] == hashes[inside]
        new = np.flatnonzero(~found)
        if len(new):
            both = self.matcher.both_hits
            pairs = [both(strings[j]) for j in new.tolist()]
            self.keys = np.insert(self.keys, pos[new], hashes[new])
            self.lemma = np.insert(self.lemma, pos[new], [bool(p[0]) for p in pairs])
            self.form = np.insert(self.form, pos[new], [bool(p[1]) for p in pairs])
            pos = np.searchsorted(self.keys, hashes)
        return self.lemma[pos], self.form[pos]


class TranscriptHits:
    """Which tokens of one Parsed hit any rule."""

    def __init__(self, matcher: KeywordMatcher, parsed: Parsed) -> None:
        self.parsed = parsed
        self.matcher = matcher
        # Python lists: indexing numpy arrays one element at a time is several times slower.
        self.L, self.W = parsed.lemma.tolist(), parsed.lower.tolist()
        self.S, self.E = parsed.starts.tolist(), parsed.ends.tolist()
        if parsed.flags is not None:  # fresh from the pipeline: flags came with the hashes
            has_l, has_f = parsed.flags
        else:
            memo, both = matcher._both_memo, matcher.both_hits
            pairs = [memo.get(s) or both(s) for s in parsed.strings]
            has_l = np.array([bool(p[0]) for p in pairs], dtype=bool)
            has_f = np.array([bool(p[1]) for p in pairs], dtype=bool)
        if len(parsed.strings):
            self.mask = has_l[parsed.lemma] | has_f[parsed.lower]
        else:
            self.mask = np.zeros(0, dtype=bool)

    def hit_tokens(self, lo: int, hi: int) -> np.ndarray:
        return lo + np.flatnonzero(self.mask[lo:hi])

    def hits(self, t: int) -> tuple[Hit, ...]:
        strings = self.parsed.strings
        lh = self.matcher.both_hits(strings[self.L[t]])[0]
        fh = self.matcher.both_hits(strings[self.W[t]])[1]
        if not fh or fh == lh:
            return lh
        return lh + tuple(h for h in fh if h not in lh)


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


LIVE_ONLY = frozenset({"POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "IS_SENT_START", "NORM", "SPACY"})


def needs_live_docs(patterns: list[list[dict[str, Any]]]) -> bool:
    """Patterns on attributes a rebuilt Doc lacks (tags, parses, entities) need the pipeline's own Docs."""
    return any(key in LIVE_ONLY for pattern in patterns for tok in pattern for key in tok)


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
