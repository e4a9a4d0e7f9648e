"""The workers' comparisons ahead of the writer (fanwen.dedup.precheck): used when they fit, and the corpus is the
one the writer alone makes."""
from __future__ import annotations

import json
import random
import sqlite3

from fanwen import dedup
from fanwen.dedup.precheck import CommittedCorpus
from fanwen.dedup.sketch import prepare
from fanwen.store import Corpus
from tests.test_dedup import _generated, canonical, doc, partition


def _docs(seed: int = 5) -> list[dict]:
    from benchmarks.dedup import quality_set

    docs = quality_set(_generated(4, 2), copies=1, seed=seed)
    random.Random(3).shuffle(docs)
    return docs


def _copy(src: str, dst: str) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def _result(db) -> tuple:
    links = set(db.execute("SELECT doc_a, doc_b, kind, joins, jaccard, containment, span_start FROM links"))
    return links, partition(db), canonical(db)


def _add(corpus: Corpus, docs: list[dict], view: CommittedCorpus | None = None, forge=None) -> dict:
    """Add docs in batches of 8, each batch's documents prechecked first against what is committed (as a worker
    would, a batch ahead of the writer); `forge` may rewrite the checks."""
    totals = {"candidates": 0, "prechecked": 0, "matches": 0, "exact": 0}
    for i in range(0, len(docs), 8):
        part = []
        for d in docs[i:i + 8]:
            x = doc(d["url"], d["text"], d["title"])
            x.dedup_sketch = prepare(x.fingerprint, x.content_hash)
            if view is not None:
                x.dedup_checked = view.check(x.fingerprint, x.content_hash, x.dedup_sketch)
                totals["matches"] += sum(1 for _h, m in x.dedup_checked["matches"].values() if m)
                if forge:
                    x.dedup_checked = forge(x.dedup_checked)
            part.append((x, []))
        st = corpus.add_documents(part)["dedup"]
        totals["candidates"] += st.get("candidates", 0)
        totals["prechecked"] += st.get("prechecked", 0)
        totals["exact"] += st.get("exact", 0)
    return totals


def test_prechecked_comparisons_are_used_and_place_as_the_writer_alone(tmp_path):
    docs = _docs()
    first, second = docs[:len(docs) // 2], docs[len(docs) // 2:]
    # and exact copies of stored documents under new URLs: the exact-copy check is made by the workers too
    second += [dict(d, url=d["url"].replace("http://", "http://copy.")) for d in first[:4]]
    base = str(tmp_path / "base.db")
    c = Corpus(base)
    _add(c, first)
    c.close()
    paths = {k: str(tmp_path / f"{k}.db") for k in ("alone", "checked", "stale", "forged")}
    for p in paths.values():
        _copy(base, p)

    alone = Corpus(paths["alone"])
    t_alone = _add(alone, second)
    assert t_alone["prechecked"] == 0

    checked = Corpus(paths["checked"])
    t = _add(checked, second, CommittedCorpus(paths["checked"]))
    assert t["candidates"] == t_alone["candidates"] and t["exact"] == t_alone["exact"] >= 4
    assert t["matches"] >= 5  # links to committed documents came from the workers' comparisons ...
    assert t["prechecked"] >= 0.5 * t["candidates"]  # ... and most candidates were compared ahead
    assert _result(checked.db) == _result(alone.db)

    # a comparison labelled with another fingerprint of the candidate (re-cleaned since) is not used
    def relabel(ch):
        return {"fp_hash": ch["fp_hash"], "exact": {d: (h + 1, not same) for d, (h, same) in ch["exact"].items()},
                "matches": {d: (h + 1, ("near", 1.0, 1.0, 1.0, 0, 1, True)) for d, (h, _m) in ch["matches"].items()}}
    stale = Corpus(paths["stale"])
    t_stale = _add(stale, second, CommittedCorpus(paths["stale"]), forge=relabel)
    assert t_stale["prechecked"] == 0 and _result(stale.db) == _result(alone.db)

    # with the right labels the writer takes the workers' word: forged "no match" answers lose the links
    def deny(ch):
        return {"fp_hash": ch["fp_hash"], "exact": {d: (h, False) for d, (h, _s) in ch["exact"].items()},
                "matches": {d: (h, None) for d, (h, _m) in ch["matches"].items()}}
    forged = Corpus(paths["forged"])
    _add(forged, second, CommittedCorpus(paths["forged"]), forge=deny)
    assert len(_result(forged.db)[0]) < len(_result(alone.db)[0])
    linked_to_a_copy = "SELECT count(*) FROM dedup_docs WHERE rep != doc_id"  # exact copies, not indexed
    assert forged.db.execute(linked_to_a_copy).fetchone()[0] < alone.db.execute(linked_to_a_copy).fetchone()[0]


def test_a_precheck_of_a_corpus_it_cannot_read_is_none(tmp_path):
    d = doc("http://a.example.cn/1.html", "今天召开全县经济工作会议，主要任务是总结工作、部署任务。" * 20)
    prepared = prepare(d.fingerprint, d.content_hash)
    assert CommittedCorpus(str(tmp_path / "missing.db")).check(d.fingerprint, d.content_hash, prepared) is None
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    assert CommittedCorpus(str(bad)).check(d.fingerprint, d.content_hash, prepared) is None
    empty = str(tmp_path / "empty.db")
    Corpus(empty).close()  # a corpus with no document: no candidates, nothing to compare
    assert CommittedCorpus(empty).check(d.fingerprint, d.content_hash, prepared)["matches"] == {}


def test_ingest_workers_compare_with_the_stored_corpus_and_rebuild_agrees(tmp_path):
    """`fanwen ingest`'s loop with its real worker pool: the second file's documents are compared by the workers
    with the first file's, and the links are those `dedup.rebuild` (the writer alone, from the texts) finds."""
    from fanwen.cli import _process_items
    from fanwen.ingest import iter_items

    docs = _docs(seed=6)
    db = str(tmp_path / "corpus.db")
    totals = []
    for name, part in (("first", docs[:len(docs) // 2]), ("second", docs[len(docs) // 2:])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"url": d["url"], "title": d["title"], "text": d["text"]},
                                           ensure_ascii=False) + "\n" for d in part), encoding="utf-8")
        totals.append(_process_items(iter_items([str(path)]), db, None, 2))
    assert 0 < totals[1]["prechecked"] <= totals[1]["candidates"] + totals[1]["duplicates"]
    c = Corpus(db)
    before = _result(c.db)
    assert len(before[0]) >= len(docs) // 4
    dedup.rebuild(c.db)
    assert _result(c.db) == before
