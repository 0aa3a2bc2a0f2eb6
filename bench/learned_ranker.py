"""A learned ranker over the search's top candidates, measured against the hand-built second stage.

    PYTHONPATH=. python bench/learned_ranker.py [--depth 40] [--shuffles 2] [--show-features]

Experiment for issue 12 (not shipped unless it wins on held-out questions). For each question of
``bench/data/tax-questions.jsonl`` the current search (BM25F + ``indexer.ranking``) returns its best
``--depth`` entries; each entry gets features (BM25 per field, its current rank and score, idf-weighted
coverage of the question's concepts in text / title / chapter, the rarest concept missed, the shortest span
of the text holding the matched concepts, the kind of rule asked for and stated, tax-type match, level,
kind, validity, length, its document's standing) and a label (its grade). Models re-order the text matches
(citation look-ups stay first, each lineage's in-force version above its other versions as in the search):

- pointwise logistic regression (grade >= 1; ``graded-lr``: an answering article counts twice), pairwise
  logistic regression (relevant minus unjudged entries of one question), gradient-boosted trees
  (HistGradientBoosting, pointwise), each with a small grid, over five nested feature sets (``columns``).

Everything is chosen on the ``tune`` split only: 5-fold cross-validation grouped by question (``--shuffles``
shuffles) picks the model and its setting; it is then fitted on the whole tune split and measured once on
``heldout``, beside the current ranking and the plain baseline (``bench/baseline.py``) measured in the same
run, with per-question win/loss counts and a paired bootstrap of MRR@10 against the current ranking.

Result (bench/README.md, 2026-11-30): held-out MRR@10 0.735 -> 0.762, Success@5 0.853 -> 0.849, bootstrap 95 %
interval of the MRR@10 gain -0.004 .. +0.058: not clearly better, not wired in. ~11 minutes on the 2-core
machine (at load ~5).
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import scratch_library
from relevance import JUDGED_ON, TAX_SET, Library, case_metrics, load_cases, summarise

LEVELS = ("法律", "行政法规", "部门规章", "规范性文件", "司法解释", "地方性法规")
KINDS = ("article", "table_row", "attachment", "preamble", "section")
# More kinds of question than ``indexer.ranking.ASKS`` (vocabulary of how a question asks, and how an article
# states that kind of rule): features only, each (asks, states, asks and states), their weights learned.
MORE_ASKS = (
    ("place", re.compile(r"哪里|在哪|哪儿|什么地方|地点|哪个税务局"), ("所在地", "地点", "主管税务机关")),
    ("who", re.compile(r"谁|哪些人|什么人|哪些单位|哪些企业"), ("纳税人", "扣缴义务人", "为纳税人")),
    ("definition", re.compile(r"什么是|是什么|算不算|算是|属不属于|属于|包括|哪些算|指什么|什么叫"),
     ("是指", "所称", "包括", "属于")),
    ("liable", re.compile(r"要交|要缴|交不交|要不要|收不收|征不征|需要交|用交|该不该"),
     ("免征", "征收", "缴纳", "依照本法")),
    ("papers", re.compile(r"材料|资料|带什么|证件|证明|凭证"), ("资料", "证件", "报送", "提供")),
    ("procedure", re.compile(r"怎么办|怎么弄|怎么操作|流程|手续|程序|去哪办|如何"), ("申报", "办理", "应当")),
)
RELATIVE = ("pairs_bm25", "pairs_cov", "pairs_cov_lead", "cov_any", "cov_text", "cov_title", "cov_lead", "bm25_text", "bm25_title", "bm25_chapter", "span_ratio",
            "asks_met", "tf_rarest")
LEAD = 40  # characters of an article's opening, where it names its subject


def _contains(ids: np.ndarray, doc: int) -> bool:
    if not len(ids):
        return False
    at = min(int(np.searchsorted(ids, doc)), len(ids) - 1)
    return bool(ids[at] == doc)


def _term_score(scorer, field: str, term: str, doc: int) -> float:
    ids, scores = scorer._term(field, term)
    if not len(ids):
        return 0.0
    at = min(int(np.searchsorted(ids, doc)), len(ids) - 1)
    return float(scores[at]) if ids[at] == doc else 0.0


def _min_span(text: str, groups: list[list[str]]) -> int | None:
    """Characters of the shortest stretch of ``text`` holding one term of every group (None: none of them)."""
    events = []
    for g, terms in enumerate(groups):
        for term in terms:
            start = text.find(term)
            while start >= 0:
                events.append((start, start + len(term), g))
                start = text.find(term, start + 1)
    if not events:
        return None
    events.sort()
    wanted = len({g for _, _, g in events})
    best, counts, have, left = None, {}, 0, 0
    for right in range(len(events)):
        g = events[right][2]
        counts[g] = counts.get(g, 0) + 1
        have += counts[g] == 1
        while have == wanted:
            span = max(e[1] for e in events[left:right + 1]) - events[left][0]
            best = span if best is None else min(best, span)
            lg = events[left][2]
            counts[lg] -= 1
            have -= counts[lg] == 0
            left += 1
    return best


class Extractor:
    def __init__(self, index):
        from indexer.ranking import ASKS

        self.index = index
        self.asks = ASKS
        searcher = index.searcher()
        self.tax_types = sorted({t.decode() if isinstance(t, bytes) else t
                                 for t in searcher.reader().lexicon("tax_types")}, key=len, reverse=True)
        self.names: list[str] = []
        # document frequency of each character pair over every entry (bigram overlap catches what word
        # segmentation splits differently: 汇率 / 汇率中间价, 交税 / 缴税 share no word but share pairs)
        self.pair_df: dict[str, int] = {}
        self.entries = 0
        lengths = []
        for fields in searcher.all_stored_fields():
            body = fields.get("text", "")
            self.entries += 1
            lengths.append(len(body))
            for pair in {body[i:i + 2] for i in range(len(body) - 1)}:
                self.pair_df[pair] = self.pair_df.get(pair, 0) + 1
        self.average_length = float(np.mean(lengths)) if lengths else 1.0

    def pair_idf(self, pair: str) -> float:
        return math.log((self.entries + 1) / (self.pair_df.get(pair, 0) + 1))

    def candidates(self, text: str, depth: int):
        """(results of the current search, feature matrix): one row per result."""
        from indexer.validity import IN_FORCE, OUTDATED

        index = self.index
        response = index.search(text, limit=depth, today_override=JUDGED_ON)
        results = response.results
        searcher = index.searcher()
        scorer = index.scorer(searcher)
        parsed = index.parse(text, searcher)
        total = scorer.scores(parsed.query) if parsed.query is not None else None
        concepts = [c for c in parsed.concepts if c.terms]
        weights = [max((scorer.idf("text", t) for t in c.terms), default=0.0) for c in concepts]
        weight_sum = sum(weights) or 1.0
        asked = [(name, markers) for name, cue, markers in self.asks if cue.search(parsed.text)]
        asked_names = {name for name, _ in asked}
        named_types = [t for t in self.tax_types if t in parsed.text]
        pairs = {parsed.text[i:i + 2] for i in range(len(parsed.text) - 1)}
        pairs = {p: self.pair_idf(p) for p in pairs if self.pair_df.get(p)}
        pair_sum = sum(pairs.values()) or 1.0
        top_score = max((r.score for r in results if r.match == "text"), default=1.0) or 1.0
        rows = []
        doc_best: dict[int, float] = {}
        doc_count: dict[int, int] = {}
        for r in results:
            doc_best[r.document_id] = max(doc_best.get(r.document_id, 0.0), r.score)
            doc_count[r.document_id] = doc_count.get(r.document_id, 0) + 1
        for rank, r in enumerate(results):
            docnum = searcher.document_number(key=r.key)
            stored = searcher.stored_fields(docnum)
            body = stored.get("text", "")
            f: dict[str, float] = {}
            f["rank_inv"] = 1.0 / (rank + 1)
            f["rank_log"] = math.log(rank + 1)
            f["score_rel"] = r.score / top_score if r.match == "text" else 1.0
            f["citation"] = float(r.match == "citation")
            f["bm25"] = float(total[docnum]) if total is not None else 0.0
            top_bm25 = float(total.max()) if total is not None and total.max() > 0 else 1.0
            f["bm25_rel"] = f["bm25"] / top_bm25
            for field in ("text", "title", "chapter"):
                per = [max((_term_score(scorer, field, t, docnum) for t in c.terms), default=0.0) for c in concepts]
                f[f"bm25_{field}"] = sum(per)
                has = [1.0 if p > 0 or any(_contains(scorer.term_ids(field, t), docnum) for t in c.terms) else 0.0
                       for p, c in zip(per, concepts)]
                f[f"cov_{field}"] = sum(w * h for w, h in zip(weights, has)) / weight_sum
                if field == "text":
                    text_has = has
                    f["cov_text_count"] = sum(has) / len(has) if has else 0.0
            any_has = [1.0 if f_ else 0.0 for f_ in
                       [any(_contains(scorer.term_ids(fl, t), docnum) for fl in ("text", "title") for t in c.terms)
                        for c in concepts]]
            f["cov_any"] = sum(w * h for w, h in zip(weights, any_has)) / weight_sum
            missed = [w for w, h in zip(weights, any_has) if not h]
            f["missed_max_idf"] = max(missed, default=0.0)
            f["missed_count"] = float(len(missed))
            f["n_concepts"] = float(len(concepts))
            groups = [[t for t in c.terms if t in body] for c, h in zip(concepts, text_has) if h]
            groups = [g for g in groups if g]
            span = _min_span(body, groups) if len(groups) >= 2 else None
            need = sum(max(len(t) for t in g) for g in groups) if groups else 1
            f["span_log"] = math.log1p(span) if span is not None else math.log1p(len(body))
            f["span_ratio"] = need / span if span else (1.0 if len(groups) == 1 else 0.0)
            f["len_log"] = math.log1p(len(body))
            lead = body[:LEAD]
            f["cov_lead"] = sum(w for w, c in zip(weights, concepts) if any(t in lead for t in c.terms)) / weight_sum
            rare = sorted(((w, c) for w, c, h in zip(weights, concepts, text_has) if h), key=lambda wc: wc[0])
            f["tf_rarest"] = math.log1p(sum(body.count(t) for t in rare[-1][1].terms)) if rare else 0.0
            f["tf_commonest"] = math.log1p(sum(body.count(t) for t in rare[0][1].terms)) if rare else 0.0
            f["pairs_cov"] = sum(w for p, w in pairs.items() if p in body) / pair_sum
            f["pairs_cov_lead"] = sum(w for p, w in pairs.items() if p in lead) / pair_sum
            f["pairs_cov_title"] = sum(w for p, w in pairs.items() if p in r.doc_title) / pair_sum
            f["pairs_cov_chapter"] = sum(w for p, w in pairs.items() if p in (r.chapter or "")) / pair_sum
            norm = 1.2 * (0.25 + 0.75 * len(body) / self.average_length)
            f["pairs_bm25"] = sum(w * tf * 2.2 / (tf + norm) for p, w in pairs.items() if (tf := body.count(p)))
            for name, cue, markers in MORE_ASKS:
                q = bool(cue.search(parsed.text))
                states = any(m in body for m in markers)
                f[f"more_{name}_q"] = float(q)
                f[f"more_{name}_met"] = float(q and states)
                f[f"more_{name}_states"] = float(states)
            for name, _cue, markers in self.asks:
                states = any(m in body for m in markers)
                f[f"ask_{name}"] = float(name in asked_names and states)
                f[f"states_{name}"] = float(states)
            f["asks_any"] = float(bool(asked))
            f["asks_met"] = sum(f[f"ask_{n}"] for n in asked_names)
            doc_types = set(r.tax_types)
            f["type_named"] = float(bool(named_types))
            f["type_match"] = float(bool(named_types) and any(t in doc_types for t in named_types))
            f["type_mismatch"] = float(bool(named_types) and bool(doc_types) and
                                       not any(t in doc_types for t in named_types))
            title = r.doc_title
            f["title_in_query"] = float(any(len(w) >= 2 and w in title for w in parsed.words))
            levels = set((r.level or "").split(","))
            for level in LEVELS:
                f[f"level_{level}"] = float(level in levels)
            for kind in KINDS:
                f[f"kind_{kind}"] = float(r.kind == kind)
            f["in_force"] = float(r.validity == IN_FORCE)
            f["outdated"] = float(r.validity == OUTDATED)
            f["first_article"] = float(r.unit in ("第一条", "第二条"))
            f["doc_share"] = doc_best[r.document_id] / top_score if r.match == "text" else 1.0
            f["doc_count"] = float(doc_count[r.document_id])
            f["q_len_log"] = math.log1p(len(parsed.text))
            rows.append(f)
        for key in RELATIVE:  # each entry against the best of its question's candidates
            best = max((row[key] for row in rows), default=0.0)
            for row in rows:
                row[f"rel_{key}"] = row[key] - best
        if rows and not self.names:
            self.names = list(rows[0])
        matrix = np.array([[row[n] for n in self.names] for row in rows], dtype=np.float64) if rows \
            else np.zeros((0, len(self.names)))
        return results, matrix


def labels(case: dict, results) -> np.ndarray:
    grades = {(r["file"], r["article"]): r["grade"] for r in case["relevant"]}
    return np.array([grades.get((r.source, r.unit), 0) for r in results], dtype=np.float64)


def reorder(results, scores: np.ndarray):
    """Citation look-ups first (as the search), the rest by ``scores``, each lineage's in-force entry first."""
    from indexer.validity import order_by_validity

    cited = [r for r in results if r.match == "citation"]
    rest = [(r, s) for r, s in zip(results, scores) if r.match != "citation"]

    class Proxy:
        def __init__(self, r, s):
            self.r, self.score, self.validity, self.lineage = r, s, r.validity, r.lineage

    ordered = order_by_validity([Proxy(r, float(s)) for r, s in rest])
    return cited + [p.r for p in ordered]


# -- models ------------------------------------------------------------------------------------

def _pairs(X, y, qid, rng, per_query=60):
    diffs, signs = [], []
    for q in np.unique(qid):
        at = np.flatnonzero(qid == q)
        pos, neg = at[y[at] >= 1], at[y[at] < 1]
        if not len(pos) or not len(neg):
            continue
        for _ in range(per_query):
            i, j = rng.choice(pos), rng.choice(neg)
            flip = rng.random() < 0.5
            diffs.append(X[j] - X[i] if flip else X[i] - X[j])
            signs.append(0 if flip else 1)
    return np.array(diffs), np.array(signs)


def make_model(kind: str, setting, X, y, qid, seed=0, cols=None):
    """A fitted scorer: a function from a feature matrix to scores (higher is better)."""
    if cols is not None:
        inner = make_model(kind, setting, X[:, cols], y, qid, seed)
        return lambda M: inner(M[:, cols])
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    if kind == "pointwise-lr":
        model = LogisticRegression(C=setting, max_iter=2000).fit(Z, (y >= 1).astype(int))
        return lambda M: model.decision_function(scaler.transform(M))
    if kind == "graded-lr":  # an answering article (grade 2) counts twice
        model = LogisticRegression(C=setting, max_iter=2000).fit(Z, (y >= 1).astype(int), sample_weight=1 + (y >= 2))
        return lambda M: model.decision_function(scaler.transform(M))
    if kind == "pairwise-lr":
        rng = np.random.default_rng(seed)
        D, s = _pairs(Z, y, qid, rng)
        model = LogisticRegression(C=setting, max_iter=2000, fit_intercept=False).fit(D, s)
        return lambda M: scaler.transform(M) @ model.coef_[0]
    if kind == "hgb":
        iters, depth = setting
        model = HistGradientBoostingClassifier(max_iter=iters, learning_rate=0.05, max_depth=depth,
                                               min_samples_leaf=30, l2_regularization=1.0, random_state=seed)
        model.fit(X, (y >= 1).astype(int))
        return lambda M: model.predict_proba(M)[:, 1]
    raise ValueError(kind)


NEW_IN_V2 = ("cov_lead", "tf_", "more_")
NEW_IN_V3 = ("rel_",)
NEW_IN_V4 = ("pairs_cov", "rel_pairs_cov")
NEW_IN_V5 = ("pairs_bm25", "rel_pairs_bm25", "pairs_cov_chapter")
FEATURE_SETS = ("v1", "v2", "v3", "v4", "v5")


def columns(names: list[str], features: str) -> np.ndarray:
    """The columns of feature set ``v1`` (the brief's list), ``v2`` (v1 + coverage of the opening, term counts,
    more kinds of question), ``v3`` (v2 + each entry's figures against the best of its question's candidates) or
    ``v4`` (v3 + idf-weighted coverage of the question's character pairs in the text, its opening and the title)
    or ``v5`` (v4 + a BM25 of character pairs over the text, and their coverage of the chapter heading)."""
    later = (NEW_IN_V2, NEW_IN_V3, NEW_IN_V4, NEW_IN_V5)[FEATURE_SETS.index(features):]
    new = tuple(prefix for group in later for prefix in group)
    return np.array([i for i, n in enumerate(names) if not new or not n.startswith(new)])


GRID = [("pointwise-lr", c) for c in (0.01, 0.1, 1.0)] + [("graded-lr", c) for c in (0.1, 1.0)] + \
       [("pairwise-lr", c) for c in (0.01, 0.1, 1.0)] + [("hgb", (300, d)) for d in (2, 3)]


def evaluate(cases, data, scorer=None) -> list[dict]:
    rows = []
    for case, (results, X) in zip(cases, data):
        ranked = results if scorer is None or not len(X) else reorder(results, scorer(X))
        rows.append(case_metrics(case, [(r.source, r.unit) for r in ranked[:10]]))
    return rows


def stack(data, cases, which):
    X = np.vstack([data[i][1] for i in which if len(data[i][1])])
    y = np.concatenate([labels(cases[i], data[i][0]) for i in which if len(data[i][1])])
    qid = np.concatenate([np.full(len(data[i][1]), i) for i in which if len(data[i][1])])
    return X, y, qid


def cross_validate(cases, data, names, folds=5, shuffles=2):
    """MRR@10 / Success@5 of each (feature set, model, setting), out of fold; and the current ranking's."""
    grid = [(features, kind, setting) for features in FEATURE_SETS for kind, setting in GRID]
    results = {setting: [] for setting in grid}
    current = []
    n = len(cases)
    for shuffle in range(shuffles):
        order = np.random.default_rng(100 + shuffle).permutation(n)
        for k in range(folds):
            test = order[k::folds]
            train = np.setdiff1d(order, test)
            X, y, qid = stack(data, cases, train)
            tcases, tdata = [cases[i] for i in test], [data[i] for i in test]
            current.append(summarise(evaluate(tcases, tdata)))
            for features, kind, setting in grid:
                scorer = make_model(kind, setting, X, y, qid, seed=shuffle, cols=columns(names, features))
                results[(features, kind, setting)].append(summarise(evaluate(tcases, tdata, scorer)))
    table = {s: {m: float(np.mean([r[m] for r in rows])) for m in ("MRR@10", "Success@5")}
             for s, rows in results.items()}
    table[("-", "current", None)] = {m: float(np.mean([r[m] for r in current])) for m in ("MRR@10", "Success@5")}
    return table


def bootstrap(a: np.ndarray, b: np.ndarray, rounds=10000, seed=0):
    rng = np.random.default_rng(seed)
    d = a - b
    means = np.array([d[rng.integers(0, len(d), len(d))].mean() for _ in range(rounds)])
    return float(d.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)), \
        float((means <= 0).mean())


def main() -> None:
    from relevance import ROOT

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=40, help="candidates re-ordered per question")
    parser.add_argument("--shuffles", type=int, default=2)
    parser.add_argument("--tune-only", action="store_true", help="cross-validation on tune only (while developing)")
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    args = parser.parse_args()

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="kb-learned-"))
    factory, _, _ = scratch_library(args.library, work)
    library = Library(factory, work)
    extractor = Extractor(library.ours)
    tune, held = load_cases(TAX_SET, "tune"), load_cases(TAX_SET, "heldout")
    t0 = time.perf_counter()
    tune_data = [extractor.candidates(c["query"], args.depth) for c in tune]
    held_data = [extractor.candidates(c["query"], args.depth) for c in held]
    per_query = (time.perf_counter() - t0) * 1000 / (len(tune) + len(held))
    print(f"{len(extractor.names)} features, depth {args.depth}; {per_query:.1f} ms a question for search + "
          f"features (experiment code, not optimised)")
    for name, cases, data in (("tune", tune, tune_data), ("heldout", held, held_data)):
        reach = np.mean([float(any(labels(c, d[0]) >= 1)) for c, d in zip(cases, data)])
        reach2 = np.mean([float(any(labels(c, d[0]) >= 2)) for c, d in zip(cases, data)])
        print(f"{name}: a grade>=1 entry among the {args.depth} candidates for {reach:.3f} of questions "
              f"(grade 2: {reach2:.3f}) - the ceiling of any re-ordering")

    print(f"\n5-fold cross-validation on tune ({len(tune)} questions, {args.shuffles} shuffles), out of fold:")
    table = cross_validate(tune, tune_data, extractor.names, shuffles=args.shuffles)
    for (features, kind, setting), figures in sorted(table.items(), key=lambda kv: -kv[1]["MRR@10"]):
        print(f"  {features:<3} {kind:<13} {setting!s:<10} MRR@10 {figures['MRR@10']:.3f}  "
              f"Success@5 {figures['Success@5']:.3f}")
    chosen = max((s for s in table if s[1] != "current"), key=lambda s: table[s]["MRR@10"])
    print(f"chosen on tune: {chosen}")
    if args.tune_only:
        return

    X, y, qid = stack(tune_data, tune, range(len(tune)))
    scorer = make_model(chosen[1], chosen[2], X, y, qid, cols=columns(extractor.names, chosen[0]))
    ours = evaluate(held, held_data)
    learned = evaluate(held, held_data, scorer)
    ours10 = [case_metrics(c, library.ours_ranked(c["query"], 10)) for c in held]
    base = [case_metrics(c, library.base_ranked(c["query"], 10)) for c in held]
    columns_ = {"baseline": summarise(base), "current": summarise(ours10), f"current@{args.depth}": summarise(ours),
                "learned": summarise(learned)}
    print(f"\ntax held-out ({len(held)} questions), measured once:")
    keys = list(columns_["current"])
    print(f"{'metric':<11}" + "".join(f" {n:>10}" for n in columns_))
    for key in keys:
        print(f"{key:<11}" + "".join(
            f" {(f'{columns_[n][key]:d}' if key == 'trap@1' else f'{columns_[n][key]:.3f}'):>10}" for n in columns_))
    print(f"(current@{args.depth}: the same search asked for {args.depth} results, which the learned ranker re-orders)")
    a = np.array([r["MRR@10"] for r in learned])
    b = np.array([r["MRR@10"] for r in ours10])
    wins, losses = int((a > b + 1e-12).sum()), int((a < b - 1e-12).sum())
    mean, low, high, p = bootstrap(a, b)
    print(f"learned vs current, per question (MRR@10): {wins} better, {losses} worse, {len(a) - wins - losses} same;"
          f" paired bootstrap of the difference: {mean:+.3f} (95 % {low:+.3f} .. {high:+.3f}; "
          f"share of resamples <= 0: {p:.3f})")
    s5a = np.array([r["Success@5"] for r in learned])
    s5b = np.array([r["Success@5"] for r in ours10])
    print(f"Success@5: {int((s5a > s5b).sum())} gained, {int((s5a < s5b).sum())} lost")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
