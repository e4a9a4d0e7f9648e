"""Training of the relevance profile (fanwen/data/relevance_profile.json): sign-constrained logistic regressions.

Called by ``python -m benchmarks.relevance --train`` on the training part of the labelled set only.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

from fanwen.relevance import (HEAD_CHARS, LINK_WEIGHTS, RelevanceModel, _unit, bigrams, load_cues,
                              normalise, tfidf)


def fit_logistic(X: list[list[float]], y: list[int], signs: list[int] | None = None, l2: float = 0.05,
                 epochs: int = 600, lr: float = 0.3, sample_weight: list[float] | None = None) -> tuple[float, list[float]]:
    """Logistic regression by full-batch gradient descent; weights with a sign are projected onto that side."""
    Xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float)
    sw = np.asarray(sample_weight if sample_weight is not None else [1.0] * len(X), dtype=float)
    tot = sw.sum()
    sg = np.asarray(signs if signs else [0] * Xa.shape[1])
    w = np.zeros(Xa.shape[1])
    b = 0.0
    for _ in range(epochs):
        z = np.clip(b + Xa @ w, -35, 35)
        g = (1.0 / (1.0 + np.exp(-z)) - ya) * sw
        b -= lr * g.sum() / tot
        w -= lr * (Xa.T @ g / tot + l2 * w)
        w[(sg > 0) & (w < 0)] = 0.0
        w[(sg < 0) & (w > 0)] = 0.0
    return float(b), [float(v) for v in w]


def head_of(text: str, n: int = 1000) -> str:
    return text[:n]


def train_profile(examples: list[dict], l2: float = 0.05, idf_top: int = 12000, centroid_top: int = 1200,
                  hand_link: bool = True) -> dict:
    """Learn the profile from labelled examples: dicts with title, text, label, genre (training part only).

    Each example is used four times: the full text, its first 1,000 characters with and without the title, and its
    first 300 characters (a paywall preview)."""
    cues = load_cues()
    # --- TF-IDF over the examples (full texts), idf of bigrams seen in >= 2 documents
    docs = [normalise(e["title"]) + "\n" + normalise(e["text"])[:HEAD_CHARS] for e in examples]
    df: Counter = Counter()
    for d in docs:
        df.update(set(bigrams(d)))
    N = len(docs)
    idf_all = {g: math.log((N + 1) / (c + 1)) + 1.0 for g, c in df.items() if c >= 2}
    idf = dict(sorted(idf_all.items(), key=lambda kv: -df[kv[0]])[:idf_top])
    vecs = [tfidf(d, idf) for d in docs]
    genre_of = ["speech" if e["label"] == "speech" else e["genre"] for e in examples]
    sums: dict[str, Counter] = {}
    for g, v in zip(genre_of, vecs):
        sums.setdefault(g, Counter()).update(v)
    centroids = {g: _unit(dict(s), centroid_top) for g, s in sums.items()}

    # --- features, with leave-one-out centroids for the similarity of the example's own genre
    prof0 = {"idf": idf, "centroids": centroids}
    model = RelevanceModel(cues=cues, profile=prof0)
    model._direct_similarity = True
    names = [c.name for c in cues] + ["sim_speech", "sim_near_miss", "short_text"]
    signs = [c.sign for c in cues] + [1, -1, 0]
    rows, ys, ys2, genres, blank = [], [], [], [], []
    for e, g, v in zip(examples, genre_of, vecs):
        own = Counter(sums[g])
        own.subtract(v)
        loo = _unit({k: x for k, x in own.items() if x > 1e-12}, centroid_top)
        for title, variant in ((e["title"], e["text"]), (e["title"], head_of(normalise(e["text"]))),
                               ("", head_of(normalise(e["text"]))), (e["title"], head_of(normalise(e["text"]), 300))):
            saved = model.speech_centroid if g == "speech" else model.genre_centroids.get(g)
            if g == "speech":
                model.speech_centroid = model.ref_centroid = loo
            else:
                model.genre_centroids[g] = loo
            vals, hits, _ = model.features(title, variant)
            blank.append("title_uninformative" in hits)
            if g == "speech":
                model.speech_centroid = model.ref_centroid = saved
            else:
                model.genre_centroids[g] = saved
            rows.append([vals.get(nm, 0.0) for nm in names])
            ys.append(1 if e["label"] == "speech" else 0)
            ys2.append(1 if e["label"] == "other_speech" else 0)
            genres.append(g)
    d = len(names)
    mean = [sum(r[j] for r in rows) / len(rows) for j in range(d)]
    # rows without an informative title: their title cues abstain (take the mean of the rows that have one)
    tcols = [j for j, nm in enumerate(names) if nm.startswith("title_")]
    informative = [r for r, bl in zip(rows, blank) if not bl] or rows
    for j in tcols:
        mean[j] = sum(r[j] for r in informative) / len(informative)
    for r, bl in zip(rows, blank):
        if bl:
            for j in tcols:
                r[j] = mean[j]
    std = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in rows) / len(rows)) or 1.0 for j in range(d)]
    Z = [[(r[j] - mean[j]) / std[j] for j in range(d)] for r in rows]
    # balance the classes
    pos = sum(ys)
    sw = [0.5 / pos if yi else 0.5 / (len(ys) - pos) for yi in ys]
    sw = [s * len(ys) for s in sw]
    b, w = fit_logistic(Z, ys, signs, l2=l2, sample_weight=sw)
    # spoken address among the non-speech texts
    idx = [i for i, yi in enumerate(ys) if not yi]
    b2, w2 = fit_logistic([Z[i] for i in idx], [ys2[i] for i in idx], None, l2=l2)
    # link model: title cues only, on the titles
    tnames = [c.name for c in cues if c.scope == "title"]
    tsigns = [c.sign for c in cues if c.scope == "title"]
    Xt, yt = [], []
    for e in examples:
        t = normalise(e["title"])
        Xt.append([1.0 if c.pattern.search(t) else 0.0 for c in cues if c.scope == "title"])
        yt.append(1 if e["label"] == "speech" else 0)
    post = sum(yt)
    swt = [(0.5 / post if yi else 0.5 / (len(yt) - post)) * len(yt) for yi in yt]
    bl, wl = fit_logistic(Xt, yt, tsigns, l2=0.02, sample_weight=swt)
    link = {"bias": bl, "weights": dict(zip(tnames, wl)), "learned": True}
    if hand_link:
        link = dict(LINK_WEIGHTS, learned=False, learned_for_comparison={"bias": bl, "weights": dict(zip(tnames, wl))})
    return {
        "version": 1,
        "about": "Built-in relevance profile of fanwen-corpus: learned from the project's own labelled texts "
                 "(training part only; never the held-out part, never the seed texts).",
        "trained_on": dict(Counter(e["label"] for e in examples)),
        "features": names,
        "mean": dict(zip(names, mean)),
        "std": dict(zip(names, std)),
        "speech": {"bias": b, "weights": dict(zip(names, w))},
        "spoken": {"bias": b2, "weights": dict(zip(names, w2))},
        "link": link,
        "threshold": 0.5,
        "idf": {g: round(v, 4) for g, v in idf.items()},
        "centroids": {g: {k: round(x, 5) for k, x in c.items()} for g, c in centroids.items()},
    }
