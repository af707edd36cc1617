"""The template miner: messages in, template ids and templates out.

Method (first version):

1. **Deduplicate.** Identical messages are parsed once (pandas factorize).
2. **Mask.** Each distinct message is tokenised and its variable pieces replaced by
   ``<*>`` (:mod:`llamalog.templates.masking`). Most lines of a log collapse onto a
   few thousand masked patterns.
3. **Cluster.** Masked patterns with the same number of tokens and the same first token
   are compared position by position: the similarity is the share of the cluster's
   constant tokens that the pattern repeats. A pattern joins the most similar cluster
   when the similarity reaches ``similarity``; tokens where they differ are merged
   piece by piece (``rhost=a`` and ``rhost=<*>`` give ``rhost=<*>``). Patterns are
   taken most frequent first, so clusters grow from their commonest form.
4. **Split choices.** A merged position that holds only a few plain words across a
   cluster's patterns (``VM Started`` / ``VM Stopped``) is a choice between templates
   rather than a variable, so the cluster is split by those words (``max_choices``).
   Variables with many values (user names, hosts) stay ``<*>``.

5. **Streaming.** A batch that brings new patterns to a key clustered in earlier
   batches clusters that key again from all its patterns, so ``partial_fit`` over
   many batches ends where one ``fit`` would (a split made when three user names
   looked like a choice is undone once more names come). Ids stay with the clusters
   that hold most of their lines; a cluster absorbed by another leaves an alias that
   :meth:`TemplateMiner.resolve` follows.

State is the clusters plus the pattern-to-cluster map, so ``partial_fit`` continues
where ``fit`` stopped, ``transform`` assigns new lines without learning, ``merge``
folds in a miner fitted elsewhere, and ``save``/``load`` round-trip through JSON.

Memory is bounded, whatever the stream: a template keeps at most
:data:`MAX_PATTERNS_PER_TEMPLATE` masked patterns (later ones still count, and still
widen its text), and past ``max_templates`` live templates the least recently used
ones are evicted. The state therefore holds at most ``max_templates`` templates and
``max_templates x MAX_PATTERNS_PER_TEMPLATE`` patterns (each with one example
message), plus a slot per template id ever issued (8 bytes; ids are never reused) and
an alias per template merged into another by streaming (see 5.).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import large_strings, string_buffers
from .._io import atomic_write
from ..errors import InvalidFileError, NotFittedError
from . import _kernels as TK
from .masking import VAR, mask, merge_tokens

FORMAT_VERSION = 1

#: A new pattern is compared with at most this many clusters that share its length and
#: first token (the first ones made, so the commonest). This bounds the work per distinct
#: pattern: mining costs O(lines) plus O(distinct patterns x MAX_CANDIDATES x tokens),
#: and the miner holds O(distinct masked patterns) in memory, whatever the stream.
MAX_CANDIDATES = 64

#: A template remembers at most this many of its masked patterns (with an example each).
#: They serve to split choices (``VM Started`` / ``VM Stopped``), to ``merge`` and to
#: look known patterns up without matching; patterns past the cap still join the
#: template and count, they are matched again when they come back.
MAX_PATTERNS_PER_TEMPLATE = 100

#: Keys with at most this many patterns are clustered again after every batch that
#: brings them new ones (see ``TemplateMiner._settle``); larger keys when they double.
RECLUSTER_SMALL = 500


@dataclass
class _Cluster:
    id: int
    tokens: list[str]
    count: int = 0
    example: str = ""
    members: dict[str, int] = field(default_factory=dict)  # masked pattern -> lines
    samples: dict[str, str] = field(default_factory=dict)  # masked pattern -> a message
    pinned: bool = False  # set by hand: its text never changes, it is never split
    name: str = ""  # a label given by hand
    used: int = 0  # the batch that last matched it, for eviction
    born: int = 0  # the batch that made it

    @property
    def template(self) -> str:
        return " ".join(self.tokens)


@dataclass
class _State:
    clusters: list[_Cluster | None] = field(default_factory=list)  # None: evicted
    by_key: dict[tuple, list[int]] = field(default_factory=dict)
    pattern_ids: dict[str, int] = field(default_factory=dict)
    batch: int = 0  # batches seen, the clock of eviction
    evicted: int = 0  # ids whose slot is None: evicted, or merged into another
    grown: set[int] = field(default_factory=set)  # clusters with new patterns since refining
    touched: set[tuple] = field(default_factory=set)  # keys that got new patterns this batch
    aliases: dict[int, int] = field(default_factory=dict)  # merged id -> the id it joined
    reclustered: dict[tuple, int] = field(default_factory=dict)  # key -> its patterns then

    def live(self) -> list[_Cluster]:
        return [c for c in self.clusters if c is not None]


def _covers(general: str, token: str) -> bool:
    """Whether ``general`` (``<*>`` = any text) matches ``token``."""
    if VAR not in general:
        return general == token
    pattern = ".*".join(re.escape(part) for part in general.split(VAR))
    return re.fullmatch(pattern, token, flags=re.S) is not None


def _nested(words: set[str]) -> bool:
    return any(a != b and _covers(a, b) for a in words for b in words)


class _Texts:
    """Row access to messages held as an Arrow string array, and their masked forms."""

    def __init__(self, arr: pa.ChunkedArray) -> None:
        self.arr = arr
        self.chunks: list[tuple[int, np.ndarray, np.ndarray]] = []  # first row, data, offsets
        row = 0
        for chunk in arr.chunks:
            n = len(chunk)
            if n:
                offsets, data = string_buffers(chunk)
                self.chunks.append((row, data, offsets))
            row += n
        self.status = np.zeros(0, dtype=np.uint8)

    def __getitem__(self, i: int) -> str:
        value = self.arr[i].as_py()
        return "" if value is None else value

    def patterns(self, rows: np.ndarray) -> list[str]:
        """The masked template text of each of ``rows`` (the kernel's, or Python's)."""
        out: list[str] = [""] * len(rows)
        starts = np.array([c[0] for c in self.chunks], dtype=np.int64)
        where = np.searchsorted(starts, rows, side="right") - 1
        for k, (first, data, offsets) in enumerate(self.chunks):
            pick = np.flatnonzero((where == k) & (self.status[rows] == TK.OK))
            if not len(pick):
                continue
            buf, ends = TK.template_texts(data, offsets, rows[pick] - first)
            text = buf.tobytes().decode("ascii")
            for j, p in enumerate(pick.tolist()):
                out[p] = text[ends[j] : ends[j + 1]]
        for p in np.flatnonzero(self.status[rows] != TK.OK).tolist():
            out[p] = mask(self[int(rows[p])])[0]
        return out


def _arrow_messages(messages) -> pa.ChunkedArray:
    """Messages as Arrow large strings, nulls as empty text (no copy for str columns)."""
    if isinstance(messages, pd.Series) and isinstance(messages.array, pd.arrays.ArrowStringArray):
        chunked = messages.array._pa_array
    else:
        values = messages.tolist() if hasattr(messages, "tolist") else list(messages)
        chunked = pa.chunked_array(
            [pa.array([None if v is None else str(v) for v in values], type=pa.large_string())]
        )
    chunked = chunked.cast(pa.large_string())
    return pc.fill_null(chunked, "") if chunked.null_count else chunked


def template_hashes_of(messages) -> tuple[_Texts, np.ndarray]:
    """The messages as Arrow strings and the hash of each one's masked template.

    The numba kernel hashes ASCII messages chunk by chunk; the rest are masked in
    Python and hashed the same way, so equal templates always get equal hashes.
    """
    texts = _Texts(_arrow_messages(messages))
    parts = [TK.template_hashes(data, offsets) for _, data, offsets in texts.chunks]
    if not parts:
        return texts, np.zeros(0, dtype=np.uint64)
    hashes = np.concatenate([h for h, _ in parts])
    texts.status = np.concatenate([st for _, st in parts])
    for i in np.flatnonzero(texts.status):
        template = mask(texts[int(i)])[0].encode("utf-8", "surrogatepass")
        hashes[i] = TK.text_hash(np.frombuffer(template, dtype=np.uint8))
    return texts, hashes


def params_of(messages) -> list[list[tuple[str, str]]]:
    """``mask(m)[1]`` of every message: ``(value, type)`` of each parameter.

    The numba kernel types ASCII messages chunk by chunk; Python masks the others.
    """
    texts = _Texts(_arrow_messages(messages))
    out: list[list[tuple[str, str]]] = [[] for _ in range(len(texts.arr))]
    for row0, data, offsets in texts.chunks:
        first, value_offsets, values, types, status = TK.template_params(data, offsets)
        text = large_strings(values, value_offsets).to_pylist()
        pairs = list(zip(text, np.array(TK.TYPES, dtype=object)[types].tolist(), strict=True))
        bounds = first.tolist()
        for i in np.flatnonzero(first[1:] > first[:-1]).tolist():
            out[row0 + i] = pairs[bounds[i] : bounds[i + 1]]
        for i in np.flatnonzero(status).tolist():
            out[row0 + i] = mask(texts[row0 + i])[1]
    return out


def _common(members: dict[str, int]) -> list[str]:
    """The template that covers every member pattern."""
    it = iter(members)
    tokens = next(it).split()
    for pattern in it:
        tokens = [merge_tokens(a, b) for a, b in zip(tokens, pattern.split(), strict=True)]
    return tokens


def _key(tokens: list[str]) -> tuple:
    first = tokens[0] if tokens else ""
    return (len(tokens), VAR if VAR in first else first)


def _similarity(cluster: list[str], tokens: list[str]) -> tuple[float, int]:
    """Share of the cluster's constant tokens that ``tokens`` repeats, and its variables."""
    same = params = 0
    for a, b in zip(cluster, tokens, strict=True):
        if a == VAR:
            params += 1
        elif a == b:
            same += 1
    constant = len(tokens) - params
    return (same / constant if constant else 1.0), params


class TemplateMiner:
    r"""Find message templates; scikit-learn style.

    Parameters
    ----------
    similarity : float
        Share of equal tokens for a masked pattern to join a cluster (default 0.5).
    max_choices : int
        A position where a cluster's patterns hold at most this many different plain
        words is a choice between templates (``VM Started`` / ``VM Stopped``), not a
        variable: the cluster is split by those words (default 3).
    masks : sequence of str
        Extra variable shapes for your logs, as regular expressions (RE2 syntax, as
        :func:`pyarrow.compute.replace_substring_regex` takes them): every match becomes
        ``<*>`` before the default masks run, e.g. ``[r"user=\w+", r"tenant-[a-z]+"]``.
        Typed parameters (``add_templates(params=True)``) still come from the default
        masks alone.
    max_templates : int or None
        Most templates kept at once (default 50,000, far more than a system's logs
        hold): past it, the least recently matched ones (never pinned ones) are
        evicted until 90 % remain, so a stream of ever-new templates — usually a
        variable that no mask recognises — runs in bounded memory. Evicted ids leave
        ``templates_`` and are never reused; their lines get a new id if they come
        back. ``None``: no limit.

    Templates can be fixed by hand without changing any id: :meth:`pin` freezes a
    template's text (lines join it only when it matches them, and it is never split),
    :meth:`rename` gives it a name, :meth:`add_template` declares one before fitting.

    Attributes
    ----------
    templates_ : DataFrame
        Indexed by template id: ``template`` (text with ``<*>``), ``count``, ``example``,
        ``name`` (given by :meth:`rename`, else ``""``) and ``pinned``.

    Examples
    --------
    >>> miner = TemplateMiner()
    >>> miner.fit_transform(["open file 1.txt", "open file 2.txt", "VM Started", "VM Stopped"])
    array([0, 0, 1, 2])
    >>> miner.templates_["template"].tolist()
    ['open file <*>', 'VM Started', 'VM Stopped']
    """

    def __init__(
        self,
        *,
        similarity: float = 0.5,
        max_choices: int = 3,
        masks: Iterable[str] = (),
        max_templates: int | None = 50_000,
    ) -> None:
        if max_templates is not None and int(max_templates) < 1:
            raise ValueError(f"max_templates must be at least 1 (or None), got {max_templates}")
        self.similarity = similarity
        self.max_choices = max_choices
        self.masks = tuple(masks)
        self.max_templates = None if max_templates is None else int(max_templates)

    # ------------------------------------------------------------------ learning

    def fit(self, messages: Iterable[str]) -> TemplateMiner:
        """Learn templates from ``messages`` (forgetting earlier state)."""
        self._state = _State()
        return self.partial_fit(messages)

    def partial_fit(self, messages: Iterable[str]) -> TemplateMiner:
        """Learn from one more batch, keeping the templates learned so far."""
        if not hasattr(self, "_state"):
            self._state = _State()
        self._assign(messages, learn=True)
        return self

    def fit_transform(self, messages: Iterable[str]) -> np.ndarray:
        """``fit`` then the template id of each message."""
        self._state = _State()
        return self._assign(messages, learn=True)

    def transform(self, messages: Iterable[str]) -> np.ndarray:
        """Template id per message (int64); -1 where no learned template fits."""
        self._check_fitted()
        return self._assign(messages, learn=False)

    def _assign(self, messages: Iterable[str], *, learn: bool) -> np.ndarray:
        if self.masks:
            messages = self._user_masked(messages)
        texts, hashes = template_hashes_of(messages)
        if len(hashes) == 0:
            return np.zeros(0, dtype=np.int64)
        self._state.batch += 1
        # codes by first appearance, the first row and the count of each pattern
        codes, first, counts = TK.factorize_hashes(hashes)
        examples = [texts[int(i)] for i in first]
        patterns = texts.patterns(first)  # one masked text per distinct pattern
        ids = np.empty(len(patterns), dtype=np.int64)
        order = np.argsort(-counts, kind="stable") if learn else range(len(patterns))
        for p in order:
            ids[p] = self._place(patterns[p], int(counts[p]), examples[p], learn=learn)
        if learn and self._settle():
            known = self._state.pattern_ids
            ids = self.resolve(
                [known.get(p, i) for p, i in zip(patterns, ids.tolist(), strict=True)]
            )
        if learn:
            self._evict()
        return ids[codes]

    def resolve(self, template_ids) -> np.ndarray:
        """Current ids of ``template_ids``: ids merged into another template give that
        template's id, evicted ids give -1, the others stay. Use it on ids kept from
        earlier batches of a stream."""
        st = self._state
        out = np.asarray(template_ids, dtype=np.int64).copy()
        for i in np.flatnonzero(out >= 0).tolist():
            t = int(out[i])
            while t in st.aliases:
                t = st.aliases[t]
            out[i] = t if t < len(st.clusters) and st.clusters[t] is not None else -1
        return out

    def _settle(self) -> bool:
        """Refine after a batch; True when any pattern changed template.

        Keys whose patterns came in several batches are clustered again from all their
        patterns, most frequent first, as one ``fit`` over everything would have done:
        splits made early (three user names look like a choice) are undone once more
        values show the position is a variable. Ids stay with the clusters holding
        most of their lines; a cluster merged into another leaves an alias
        (:meth:`resolve`).

        A key with more than :data:`RECLUSTER_SMALL` patterns is clustered again only
        once its patterns have doubled since the last time, so a stream costs at most
        about twice what one ``fit`` costs however many batches it comes in.
        """
        st = self._state
        touched, st.touched = st.touched, set()
        changed = False
        for key in sorted(touched, key=repr):  # sorted: the same ids in every process
            size = sum(
                len(c.members)
                for cid in st.by_key.get(key, ())
                if (c := st.clusters[cid]) is not None and not c.pinned
            )
            if size <= RECLUSTER_SMALL or size >= 2 * st.reclustered.get(key, 0):
                st.reclustered[key] = size
                changed |= self._recluster(key)
        return self._refine() or changed

    def _recluster(self, key: tuple) -> bool:
        st = self._state
        olds = [
            st.clusters[cid]
            for cid in st.by_key.get(key, ())
            if st.clusters[cid] is not None and not st.clusters[cid].pinned
        ]
        patterns: dict[str, tuple[int, str, int]] = {}  # pattern -> (lines, sample, old id)
        rest: dict[int, int] = {}  # old id -> lines of patterns past the cap
        for c in olds:
            for pattern, n in c.members.items():
                patterns[pattern] = (n, c.samples.get(pattern, c.example), c.id)
            rest[c.id] = c.count - sum(c.members.values())
        fresh = TemplateMiner(
            similarity=self.similarity, max_choices=self.max_choices, max_templates=None
        )
        fresh._state = _State()
        for pattern in sorted(patterns, key=lambda q: -patterns[q][0]):
            n, sample, _ = patterns[pattern]
            fresh._place(pattern, n, sample, learn=True)
        fresh._refine()
        groups = sorted(fresh._state.live(), key=lambda g: -g.count)
        if not groups:  # no pattern kept (clusters without members): nothing to redo
            return False
        # each group keeps the old id holding most of its lines; the others get new ids
        taken: dict[int, _Cluster] = {}
        new_groups = []
        for g in groups:
            votes: dict[int, int] = {}
            for pattern, n in g.members.items():
                old = patterns[pattern][2]
                votes[old] = votes.get(old, 0) + n
            for old in sorted(votes, key=lambda o: (-votes[o], o)):
                if old not in taken:
                    taken[old] = g
                    break
            else:
                new_groups.append(g)
        if (
            len(taken) == len(olds)
            and not new_groups
            and all(set(taken[c.id].members) == set(c.members) for c in olds)
        ):
            return False  # the same partition
        share: dict[int, dict[int, int]] = {c.id: {} for c in olds}  # old id -> group -> lines
        for g_index, g in enumerate(groups):
            for q, n in g.members.items():
                to = share[patterns[q][2]]
                to[g_index] = to.get(g_index, 0) + n
        home = {  # old id -> the group that took most of its lines
            old: groups[max(s, key=lambda i, s=s: (s[i], -i))] if s else groups[0]
            for old, s in share.items()
        }
        order = list(st.by_key.get(key, ()))
        for c in olds:
            if c.id not in taken:  # merged away: its lines follow most of its patterns
                st.clusters[c.id] = None
                st.evicted += 1
                order.remove(c.id)
        targets = {id(g): st.clusters[old] for old, g in taken.items()}
        for g in new_groups:
            c = _Cluster(len(st.clusters), g.tokens, 0, "", used=st.batch, born=st.batch)
            st.clusters.append(c)
            order.append(c.id)
            targets[id(g)] = c
        for c in olds:
            if c.id not in taken:
                st.aliases[c.id] = targets[id(home[c.id])].id
        for g in groups:
            c = targets[id(g)]
            c.tokens, c.members = g.tokens, dict(g.members)
            c.samples = {q: patterns[q][1] for q in g.members}
            c.count = sum(g.members.values())
            c.example = c.samples[max(g.members, key=g.members.get)]
            c.used = st.batch
            for q in g.members:
                st.pattern_ids[q] = c.id
        for old_id, lines in rest.items():
            if lines > 0:
                targets[id(home[old_id])].count += lines
        st.by_key[key] = order
        return True

    def _evict(self) -> None:
        """Drop the least recently used templates once there are more than allowed."""
        st, cap = self._state, self.max_templates
        if cap is None or len(st.clusters) - st.evicted <= cap:
            return
        keep = max(1, int(cap * 0.9))
        candidates = [c for c in st.clusters if c is not None and not c.pinned]
        n_drop = len(st.clusters) - st.evicted - keep
        candidates.sort(key=lambda c: (c.used, c.count))
        victims = {c.id for c in candidates[:n_drop]}
        keys = set()
        for cid in victims:
            c = st.clusters[cid]
            for pattern in c.members:
                if st.pattern_ids.get(pattern) == cid:
                    del st.pattern_ids[pattern]
            keys.add(_key(c.tokens))
            st.clusters[cid] = None
        for key in keys:
            left = [cid for cid in st.by_key.get(key, ()) if cid not in victims]
            if left:
                st.by_key[key] = left
            else:
                st.by_key.pop(key, None)
                st.reclustered.pop(key, None)
        st.evicted += len(victims)

    def _user_masked(self, messages: Iterable[str]) -> pa.ChunkedArray:
        """``messages`` with every match of the user masks replaced by ``<*>``."""
        chunked = _arrow_messages(messages)
        for rx in self.masks:
            try:
                chunked = pc.replace_substring_regex(chunked, pattern=rx, replacement=VAR)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ValueError(
                    f"mask {rx!r} is not a valid RE2 regular expression: {exc}"
                ) from exc
        return chunked

    # ------------------------------------------------------------------ by hand

    def add_template(self, template: str, *, name: str = "") -> int:
        """Declare a template (``<*>`` for variables) before or between fits; pinned.

        Returns its id. Lines whose masked form it matches join it, whatever the
        similarity rule would have made of them.
        """
        if not hasattr(self, "_state"):
            self._state = _State()
        tokens = template.split()
        if not tokens:
            raise ValueError("a template needs at least one token")
        c = self._new_cluster(tokens, "")
        c.pinned, c.name = True, str(name)
        return c.id

    def pin(self, template_id: int, template: str | None = None) -> TemplateMiner:
        """Freeze template ``template_id`` (optionally setting its text first).

        A pinned template keeps its text and id: new lines join it only when it
        matches them, and it is never split. ``template`` must match every pattern
        the template already holds.
        """
        c = self._cluster(template_id)
        if template is not None:
            tokens = template.split()
            bad = [
                p
                for p in c.members
                if len(p.split()) != len(tokens)
                or not all(_covers(a, b) for a, b in zip(tokens, p.split(), strict=True))
            ]
            if bad:
                raise ValueError(
                    f"template {template!r} does not match {len(bad)} pattern(s) of template "
                    f"{template_id}, e.g. {bad[0]!r}"
                )
            st = self._state
            if _key(c.tokens) != _key(tokens):
                st.by_key[_key(c.tokens)].remove(c.id)
                st.by_key.setdefault(_key(tokens), []).append(c.id)
            c.tokens = tokens
        c.pinned = True
        return self

    def rename(self, template_id: int, name: str) -> TemplateMiner:
        """Give template ``template_id`` a name (``templates_["name"]``); ids stay."""
        self._cluster(template_id).name = str(name)
        return self

    def _cluster(self, template_id: int) -> _Cluster:
        self._check_fitted()
        cs = self._state.clusters
        if not 0 <= int(template_id) < len(cs):
            raise KeyError(f"no template {template_id}; ids run from 0 to {len(cs) - 1}")
        if cs[int(template_id)] is None:
            now = int(self.resolve([template_id])[0])
            if now >= 0:
                raise KeyError(f"template {template_id} was merged into template {now}")
            raise KeyError(f"template {template_id} was evicted (see max_templates)")
        return cs[int(template_id)]

    def _refine(self) -> bool:
        """Split clusters at positions that hold a few plain words; True if any split."""
        st = self._state
        changed = False
        grown, st.grown = sorted(st.grown), set()
        for cid in grown:  # the others were refined already and have not changed
            c = st.clusters[cid]
            if c is None or len(c.members) < 2 or c.pinned:
                continue
            split = self._choice_positions(c)
            if not split:
                continue
            rest = c.count - sum(c.members.values())  # patterns past the cap stay with c
            groups: dict[tuple, dict[str, int]] = {}
            for pattern, n in c.members.items():
                toks = pattern.split()
                groups.setdefault(tuple(toks[p] for p in split), {})[pattern] = n
            if len(groups) < 2:
                continue
            changed = True
            ordered = sorted(groups.values(), key=lambda g: -sum(g.values()))
            for i, members in enumerate(ordered):
                samples = {p: c.samples.get(p, "") for p in members}
                if i == 0:
                    target = c
                else:
                    target = self._new_cluster(_common(members), "")
                target.members = members
                target.samples = samples
                target.example = samples[max(members, key=members.get)]
                target.count = sum(members.values()) + (rest if i == 0 else 0)
                target.tokens = _common(members)
                for pattern in members:
                    st.pattern_ids[pattern] = target.id
        return changed

    def _choice_positions(self, c: _Cluster) -> list[int]:
        toks = [p.split() for p in c.members]
        out = []
        for pos, token in enumerate(c.tokens):
            if VAR not in token:
                continue
            words = {t[pos] for t in toks}
            # distinct tokens here differ in their constant text (values are masked
            # already); a bare <*>, or a token that another one generalises
            # ("()" and "(<*>)"), means a real variable
            if len(words) <= self.max_choices and VAR not in words and not _nested(words):
                out.append(pos)
        return out

    def _new_cluster(self, tokens: list[str], example: str) -> _Cluster:
        st = self._state
        c = _Cluster(len(st.clusters), tokens, 0, example, used=st.batch, born=st.batch)
        st.clusters.append(c)
        if tokens:
            st.by_key.setdefault(_key(tokens), []).append(c.id)
        return c

    def _place(self, pattern: str, count: int, example: str, *, learn: bool) -> int:
        st = self._state
        known = st.pattern_ids.get(pattern)
        if known is not None:
            c = st.clusters[known]
            c.used = st.batch
            if learn:
                c.count += count
                c.members[pattern] = c.members.get(pattern, 0) + count
            return known
        tokens = pattern.split()
        key = _key(tokens)
        best, best_key = None, (-1.0, -1)
        for cid in st.by_key.get(key, ())[:MAX_CANDIDATES]:
            c = st.clusters[cid]
            if learn and c.born < st.batch and not c.pinned:
                st.touched.add(key)  # clustered in an earlier batch: recluster (_settle)
            if c.pinned:  # a pinned template takes exactly the lines it matches, first
                if all(_covers(a, b) for a, b in zip(c.tokens, tokens, strict=True)):
                    best, best_key = cid, (2.0, 0)
                    break
                continue
            sim = _similarity(c.tokens, tokens)
            if sim > best_key:
                best, best_key = cid, sim
        if best is not None and best_key[0] >= self.similarity:
            c = st.clusters[best]
            c.used = st.batch
            if learn:
                if not c.pinned:
                    c.tokens = [merge_tokens(a, b) for a, b in zip(c.tokens, tokens, strict=True)]
                c.count += count
                c.example = c.example or example
                if len(c.members) < MAX_PATTERNS_PER_TEMPLATE:
                    c.members[pattern] = count
                    c.samples[pattern] = example
                    st.pattern_ids[pattern] = best
                    st.grown.add(best)
            return best
        if not learn:
            return -1
        c = self._new_cluster(tokens, example)
        c.count = count
        c.members[pattern] = count
        c.samples[pattern] = example
        st.pattern_ids[pattern] = c.id
        return c.id

    # ------------------------------------------------------------------ results

    def _check_fitted(self) -> None:
        if not hasattr(self, "_state"):
            raise NotFittedError("this TemplateMiner is not fitted yet; call fit or partial_fit")

    @property
    def templates_(self) -> pd.DataFrame:
        self._check_fitted()
        cs = self._state.live()
        return pd.DataFrame(
            {
                "template": [c.template for c in cs],
                "count": np.array([c.count for c in cs], dtype=np.int64),
                "example": [c.example for c in cs],
                "name": [c.name for c in cs],
                "pinned": np.array([c.pinned for c in cs], dtype=bool),
            },
            index=pd.Index([c.id for c in cs], name="template_id"),
        )

    def merge(self, other: TemplateMiner) -> TemplateMiner:
        """Fold the templates of ``other`` (fitted elsewhere) into this miner's id space."""
        other._check_fitted()
        if not hasattr(self, "_state"):
            self._state = _State()
        self._state.batch += 1
        members = []
        for c in other._state.live():
            members += [(p, n, c.samples.get(p, c.example)) for p, n in c.members.items()]
            rest = c.count - sum(c.members.values())  # lines of patterns past the cap
            if rest > 0:
                members.append((c.template, rest, c.example))
        for pattern, n, example in sorted(members, key=lambda m: -m[1]):
            self._place(pattern, n, example, learn=True)
        self._settle()
        self._evict()
        return self

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | os.PathLike) -> Path:
        """Write the miner as JSON (atomically: a temporary file, then a rename)."""
        self._check_fitted()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": "llamalog.TemplateMiner",
            "version": FORMAT_VERSION,
            "params": {
                "similarity": self.similarity,
                "max_choices": self.max_choices,
                "masks": list(self.masks),
                "max_templates": self.max_templates,
            },
            "next_id": len(self._state.clusters),
            "batch": self._state.batch,
            "aliases": [[a, b] for a, b in self._state.aliases.items()],
            "clusters": [
                {
                    "id": c.id,
                    "tokens": c.tokens,
                    "count": c.count,
                    "example": c.example,
                    "members": c.members,
                    "samples": c.samples,
                    "pinned": c.pinned,
                    "name": c.name,
                    "used": c.used,
                    "born": c.born,
                }
                for c in self._state.live()
            ],
        }
        with atomic_write(path, "w", encoding="utf-8") as f:
            json.dump(payload, f)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> TemplateMiner:
        """Read a miner written by :meth:`save`, checking every field.

        Raises
        ------
        InvalidFileError
            The file is not a saved miner, is from a newer llamalog, or a field has
            the wrong type or an impossible value (a negative or repeated id, an id
            past ``next_id``, ``next_id`` above :data:`MAX_TEMPLATE_IDS`); the message
            names the file and the field. It is a ``ValueError``.
        """
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InvalidFileError(f"{path} is not valid JSON: {exc}", path=path) from exc
        check = _Fields(path)
        if not isinstance(payload, dict) or payload.get("format") != "llamalog.TemplateMiner":
            raise check.bad(
                "format", "is not 'llamalog.TemplateMiner': this is not a saved TemplateMiner"
            )
        version = check.integer(payload, "version", lo=0)
        if version > FORMAT_VERSION:
            raise check.bad(
                "version",
                f"is {version}: written by a newer llamalog (reads {FORMAT_VERSION}); upgrade",
            )
        miner = cls(**check.params(payload.get("params")))
        clusters = check.typed(payload, "clusters", list)
        size = check.integer(payload, "next_id", len(clusters), lo=0, hi=MAX_TEMPLATE_IDS)
        st = _State(clusters=[None] * size, batch=check.integer(payload, "batch", 0, lo=0))
        for i, c in enumerate(clusters):
            cluster = check.cluster(c, f"clusters[{i}]", size)
            if st.clusters[cluster.id] is not None:
                raise check.bad(f"clusters[{i}].id", f"repeats id {cluster.id}")
            st.clusters[cluster.id] = cluster
        st.evicted = size - len(clusters)
        st.aliases = check.aliases(payload.get("aliases", []), size)
        for c in st.live():
            st.by_key.setdefault(_key(c.tokens), []).append(c.id)
        st.pattern_ids = {p: c.id for c in st.live() for p in c.members}
        miner._state = st
        return miner


#: Most template ids a saved miner may have issued (``next_id``): a slot is kept per id
#: ever issued (8 bytes each), so a file cannot make :meth:`TemplateMiner.load`
#: allocate more than 256 MiB however small it is.
MAX_TEMPLATE_IDS = 1 << 25


class _Fields:
    """Checks of a saved miner's fields; each failure names the file and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def bad(self, field: str, problem: str) -> InvalidFileError:
        return InvalidFileError(f"{self.path}: {field!r} {problem}", path=self.path, field=field)

    def typed(self, obj: dict, name: str, kind: type, where: str = "", default=None):
        value = obj.get(name, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.bad(where + name, f"must be a {kind.__name__}, got {value!r:.80}")
        return value

    def integer(self, obj: dict, name: str, default=None, *, lo=None, hi=None, where=""):
        value = self.typed(obj, name, int, where, default)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.bad(where + name, f"must lie in [{lo}, {hi}], got {value}")
        return value

    def params(self, params) -> dict:
        if not isinstance(params, dict):
            raise self.bad("params", f"must be an object, got {params!r:.80}")
        unknown = sorted(set(params) - {"similarity", "max_choices", "masks", "max_templates"})
        if unknown:
            raise self.bad(f"params.{unknown[0]}", "is not a TemplateMiner parameter")
        sim = params.get("similarity", 0.5)
        if isinstance(sim, bool) or not isinstance(sim, int | float) or not 0 <= sim <= 1:
            raise self.bad("params.similarity", f"must be a number in [0, 1], got {sim!r}")
        self.integer(params, "max_choices", 3, lo=0, where="params.")
        masks = params.get("masks", [])
        if not isinstance(masks, list) or not all(isinstance(m, str) for m in masks):
            raise self.bad("params.masks", f"must be a list of strings, got {masks!r:.80}")
        if params.get("max_templates") is not None:
            self.integer(params, "max_templates", lo=1, where="params.")
        return params

    def cluster(self, c, where: str, size: int) -> _Cluster:
        if not isinstance(c, dict):
            raise self.bad(where, f"must be an object, got {c!r:.80}")
        tokens, members, samples = c.get("tokens"), c.get("members", {}), c.get("samples", {})
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise self.bad(where + ".tokens", "must be a list of strings")
        if not isinstance(members, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in members.values()
        ):
            raise self.bad(where + ".members", "must map patterns to line counts")
        if not isinstance(samples, dict) or not all(isinstance(v, str) for v in samples.values()):
            raise self.bad(where + ".samples", "must map patterns to messages")
        return _Cluster(
            self.integer(c, "id", lo=0, hi=size - 1, where=where + "."),
            list(tokens),
            self.integer(c, "count", 0, lo=0, where=where + "."),
            self.typed(c, "example", str, where + ".", ""),
            dict(members),
            dict(samples),
            self.typed(c, "pinned", bool, where + ".", False),
            self.typed(c, "name", str, where + ".", ""),
            self.integer(c, "used", 0, lo=0, where=where + "."),
            self.integer(c, "born", 0, lo=0, where=where + "."),
        )

    def aliases(self, pairs, size: int) -> dict[int, int]:
        ok = isinstance(pairs, list) and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < size for i in p)
            for p in pairs
        )
        if not ok:
            raise self.bad("aliases", f"must be [merged id, id] pairs of ids below {size}")
        aliases = {int(a): int(b) for a, b in pairs}
        done: set[int] = set()
        for start in aliases:  # resolve() follows chains: a loop would never end
            seen, t = set(), start
            while t in aliases and t not in done:
                if t in seen:
                    raise self.bad("aliases", f"loop back to id {t}")
                seen.add(t)
                t = aliases[t]
            done |= seen
        return aliases


def add_templates(
    frame: pd.DataFrame,
    miner: TemplateMiner | None = None,
    *,
    column: str = "message",
    params: bool = False,
) -> pd.DataFrame:
    """A copy of ``frame`` with ``template_id`` and ``template`` columns.

    With no ``miner`` a new one is fitted on the frame; a fitted miner only assigns
    (``template_id`` -1 where none fits) — pass it through ``partial_fit`` first to
    learn new templates. ``params=True`` also adds ``params``: per row, the list of
    ``(value, type)`` of its variables (int, float, ip, uuid, url, path, hex, bool,
    date, size, id), typed by a numba kernel (Python for non-ASCII messages).
    """
    from ..schema import validate_frame

    validate_frame(frame, (column,))
    if miner is None:
        miner = TemplateMiner()
        ids = miner.fit_transform(frame[column])
    else:
        ids = miner.transform(frame[column])
    texts = miner.templates_["template"]
    out = frame.copy()
    out["template_id"] = ids
    # ids -> rows of templates_ (-1: no template, or one evicted by max_templates)
    known = texts.index.to_numpy(dtype=np.int64)  # an empty index is object dtype
    where = np.full(int(max(ids.max(initial=-1), known.max(initial=-1))) + 2, -1, np.int64)
    where[known] = np.arange(len(texts))
    codes = where[ids]  # ids of -1 land on the last slot, which stays -1
    categories = pd.Index(texts.tolist(), dtype="str")
    if categories.is_unique:
        out["template"] = pd.Categorical.from_codes(codes, categories)
    else:  # two ids can share a text after a merge: keep the text per row
        values = [texts.iloc[i] if i >= 0 else None for i in codes]
        out["template"] = pd.Series(values, index=frame.index, dtype="str")
    if params:
        out["params"] = params_of(frame[column])
    return out
