"""Profile evidence for a whole transcript at once, with numpy (see profile.py for what it means).

The rule, per passage: each distinct folded lemma counts once (at its first token), adding its
profile entries' weights to their codes; a code's evidence is its PROFILE_EVIDENCE strongest
words (ties: the earlier one), shown in text order. Profile words are common, so a passage has
dozens of hits: walking them in Python cost ~3 µs each, a fifth of a cold run. Here each lemma
string is looked up once per run, and per transcript the first occurrences, the sums and the
strongest words are found with a few array operations; Python builds only the evidence kept.

The sums are those of the plain loop to the last bit: `np.bincount` adds its weights one by one
in array order, and the array is in token order, as the loop was.
"""

from __future__ import annotations

import numpy as np

from grondmotief.suggest.parse import Parsed
from grondmotief.suggest.profile import ProfileMatcher
from grondmotief.suggest.results import Evidence
from grondmotief.suggest.rules import fold

PROFILE = "profile"


class ProfileHits:
    """Per run: every lemma string's profile hit as an id, and per hit its entries as flat arrays."""

    def __init__(self, matcher: ProfileMatcher, weight: float, keep: int, long: int) -> None:
        self.pm = matcher
        self.weight, self.keep, self.long = weight, keep, long
        self._by_string: dict[str, int] = {}  # lemma string → hit id, -1 for none
        self._by_fold: dict[str, int] = {}  # folded lemma → hit id (the dedupe key of a passage)
        self.words: list[str] = []  # per hit: the profile word it matched
        self._ptr = [0]  # hit h's entries are _codes[_ptr[h]:_ptr[h + 1]] (and _fields, _weights)
        self._codes: list[int] = []
        self._labels: list[str] = []  # per entry: "field:word", as evidence shows it
        self._weights: list[float] = []
        self.code_names: list[str] = []
        self._code_id: dict[str, int] = {}
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _id(self, s: str) -> int:
        got = self._by_string.get(s)
        if got is not None:
            return got
        folded = fold(s)
        got = self._by_fold.get(folded)
        if got is None:
            hit = self.pm.lookup(folded)
            if hit is None:
                got = -1
            else:
                word, entries, share = hit
                got = len(self.words)
                self.words.append(word)
                for e in entries:
                    c = self._code_id.get(e.code)
                    if c is None:
                        c = self._code_id[e.code] = len(self.code_names)
                        self.code_names.append(e.code)
                    self._codes.append(c)
                    self._labels.append(f"{e.field}:{word}")
                    self._weights.append(e.weight * share)
                self._ptr.append(len(self._codes))
                self._arrays = None
            self._by_fold[folded] = got
        self._by_string[s] = got
        return got

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._arrays is None:
            self._arrays = (
                np.array(self._ptr, dtype=np.int64),
                np.array(self._codes, dtype=np.int64),
                np.array(self._weights, dtype=np.float64),
            )
        return self._arrays

    def evidence(self, parsed: Parsed, texts: dict[str, str]) -> dict[str, dict[str, tuple[float, list[Evidence]]]]:
        """Per segment key in `texts`, per code: (weighed profile sum, its evidence)."""
        lemma = parsed.lemma
        if not len(lemma):
            return {}
        strings = parsed.strings
        uniq = np.unique(lemma)
        lut = np.full(len(strings), -1, dtype=np.int64)
        get = self._id
        lut[uniq] = [get(strings[i]) for i in uniq.tolist()]
        tok_hit = lut[lemma]
        tok = np.flatnonzero(tok_hit >= 0)
        if not len(tok):
            return {}
        hit = tok_hit[tok]
        seg = np.searchsorted(parsed.bounds, tok, side="right") - 1
        # The first token of each (segment, hit): np.unique's return_index gives first occurrences.
        _, first = np.unique(seg * (len(self.words) + 1) + hit, return_index=True)
        first.sort()
        tok, hit, seg = tok[first], hit[first], seg[first]
        ptr, codes, weights = self.arrays()
        count = ptr[hit + 1] - ptr[hit]
        row = np.repeat(np.arange(len(tok)), count)  # one row per (token, entry), in token order
        entry = ptr[hit][row] + np.arange(len(row)) - (np.cumsum(count) - count)[row]
        n_codes = len(self.code_names)
        group = seg[row] * n_codes + codes[entry]
        w = weights[entry]
        totals = np.bincount(group, weights=w)
        start = parsed.starts[tok][row]
        # Strongest first per group, the earlier word on a tie (as a stable sort on (-|w|, start)).
        order = np.lexsort((start, -np.abs(w), group))
        g_sorted = group[order]
        heads = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
        rank = np.arange(len(order)) - np.repeat(heads, np.diff(np.r_[heads, len(order)]))
        kept = order[rank < self.keep].tolist()
        keys, bounds, ends = parsed.keys, parsed.bounds.tolist(), parsed.ends
        out: dict[str, dict[str, tuple[float, list[Evidence]]]] = {}
        shown: dict[int, list[Evidence]] = {}
        row_l, entry_l, group_l = row.tolist(), entry.tolist(), group.tolist()
        starts_l, ends_l = parsed.starts[tok].tolist(), ends[tok].tolist()
        lemma_l = lemma[tok].tolist()
        labels = self._labels
        seg_text = [texts.get(k) for k in keys]  # None: a segment not asked for
        for i in kept:
            r = row_l[i]
            text = seg_text[group_l[i] // n_codes]
            if text is None:
                continue
            s, e = starts_l[r], ends_l[r]
            ev = Evidence(text[s:e], strings[lemma_l[r]], s, e, labels[entry_l[i]], PROFILE)
            shown.setdefault(group_l[i], []).append(ev)
        total_l = totals.tolist()
        names, weight, long = self.code_names, self.weight, self.long
        for g, evs in shown.items():  # every group keeps at least one word
            si, c = divmod(g, n_codes)
            n = bounds[si + 1] - bounds[si]
            damp = (n / long) ** 0.5 if n > long else 1.0
            evs.sort(key=lambda ev: (ev.start, ev.rule))
            out.setdefault(keys[si], {})[names[c]] = (weight * total_l[g] / damp, evs)
        return out
