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


def _add(corpus: Corpus, docs: list[dict], view: CommittedCorpus | None = None, forge=None, lag: int = 0,
         between=None) -> dict:
    """Add docs in batches of 8, each batch's documents prechecked first against what is committed (as a worker
    would), `lag` batches before the writer stores it; `forge` may rewrite the checks, `between(corpus)` runs
    after the prechecks of a batch, before it is stored."""
    totals = {"candidates": 0, "prechecked": 0, "matches": 0, "exact": 0, "lookups_taken": 0, "lookups_sent": 0}
    batches = [docs[i:i + 8] for i in range(0, len(docs), 8)]
    ready: dict[int, list] = {}

    def precheck(j: int) -> None:
        part = []
        for d in batches[j]:
            x = doc(d["url"], d["text"], d["title"])
            x.dedup_sketch = prepare(x.fingerprint, x.content_hash)
            if view is not None:
                x.dedup_checked = view.check(x.fingerprint, x.content_hash, x.dedup_sketch)
                totals["matches"] += sum(1 for _h, m in x.dedup_checked["matches"].values() if m)
                totals["lookups_sent"] += "lookup" in x.dedup_checked
                if forge:
                    x.dedup_checked = forge(x.dedup_checked)
            part.append((x, []))
        ready[j] = part

    for j in range(min(lag, len(batches))):
        precheck(j)
    for j in range(len(batches)):
        if j + lag < len(batches):
            precheck(j + lag)
        if between:
            between(corpus)
        st = corpus.add_documents(ready.pop(j))["dedup"]
        for k in ("candidates", "prechecked", "exact", "lookups_taken"):
            totals[k] += st.get(k, 0)
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
    assert t["lookups_taken"] >= 0.8 * t["lookups_sent"] > 0  # ... and their key lookups brought up to date
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
    from fanwen.cli.ingesting import ingest_items
    from fanwen.ingest import iter_items

    docs = _docs(seed=6)
    db = str(tmp_path / "corpus.db")
    totals = []
    for name, part in (("first", docs[:len(docs) // 2]), ("second", docs[len(docs) // 2:])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"url": d["url"], "title": d["title"], "text": d["text"]},
                                           ensure_ascii=False) + "\n" for d in part), encoding="utf-8")
        totals.append(ingest_items(iter_items([str(path)]), db, None, 2))
    assert 0 < totals[1]["prechecked"] <= totals[1]["candidates"] + totals[1]["duplicates"]
    c = Corpus(db)
    before = _result(c.db)
    assert len(before[0]) >= len(docs) // 4
    dedup.rebuild(c.db)
    assert _result(c.db) == before


def _split(docs):
    first, second = docs[:len(docs) // 2], docs[len(docs) // 2:]
    return first, second


def _corpora(tmp_path, first, names):
    base = str(tmp_path / "base.db")
    c = Corpus(base)
    _add(c, first)
    c.close()
    paths = {k: str(tmp_path / f"{k}.db") for k in names}
    for p in paths.values():
        _copy(base, p)
    return paths


def test_key_lookups_made_batches_ahead_are_brought_up_to_date(tmp_path):
    """A worker's key lookup, made two batches before the writer stores the document, plus the postings of the
    batches stored since: the same candidates and links as the writer's own lookups; forged lookups with a known
    token are used (so this is not the writer looking up again), with an unknown token they are not."""
    first, second = _split(_docs(seed=7))
    paths = _corpora(tmp_path, first, ("alone", "ahead", "forged", "unknown", "stale_stop"))
    alone = Corpus(paths["alone"])
    t_alone = _add(alone, second)
    want = _result(alone.db)

    ahead = Corpus(paths["ahead"])
    t = _add(ahead, second, CommittedCorpus(paths["ahead"]), lag=2)
    # all but those of the first two batches, looked up before this writer's first batch (its history starts
    # there), and the exact copies of documents stored in between (no lookup needed)
    assert t["lookups_taken"] >= t["lookups_sent"] - 2 * 8 - t["exact"] > 0
    assert t["candidates"] == t_alone["candidates"] and _result(ahead.db) == want

    def no_postings(ch):  # "the keys had no postings": taken, the writer misses the candidates it would have had
        return dict(ch, lookup=dict(ch["lookup"], live={}, rows={})) if "lookup" in ch else ch
    forged = Corpus(paths["forged"])
    t_forged = _add(forged, second, CommittedCorpus(paths["forged"]), forge=no_postings)
    assert t_forged["lookups_taken"] > 0 and t_forged["candidates"] < t_alone["candidates"]

    def unknown(ch):  # a state this writer never committed (another writer's, rolled back, from before a reopen)
        return dict(ch, lookup=dict(ch["lookup"], token=ch["lookup"]["token"] ^ 1)) if "lookup" in ch else ch
    other = Corpus(paths["unknown"])
    t_other = _add(other, second, CommittedCorpus(paths["unknown"]), forge=unknown)
    assert t_other["lookups_taken"] == 0 and _result(other.db) == want

    def stale_stop(ch):  # the worker took live keys for stop keys (its copy of them from before a removal)
        if "lookup" not in ch:
            return ch
        lk = ch["lookup"]
        return dict(ch, lookup=dict(lk, live={}, stop=sorted(set(lk["stop"]) | set(lk["live"]))))
    stale = Corpus(paths["stale_stop"])
    t_stale = _add(stale, second, CommittedCorpus(paths["stale_stop"]), forge=stale_stop)
    assert t_stale["lookups_taken"] > 0 and _result(stale.db) == want  # those keys are looked up by the writer


def test_a_removal_since_the_lookup_makes_the_writer_look_up_itself(tmp_path):
    """Placing a stored document again (its text re-cleaned) removes its postings: lookups made before that are
    not brought up to date (the writer's history of postings is dropped), and the corpus is the writer's alone."""
    first, second = _split(_docs(seed=8))
    paths = _corpora(tmp_path, first, ("alone", "replaced"))
    reps = [r[0] for r in Corpus(paths["alone"]).db.execute(
        "SELECT doc_id FROM dedup_docs WHERE rep = doc_id ORDER BY doc_id LIMIT 3")]

    def replace(corpus):  # as `fanwen reclean` does for a changed text
        dedup.update_clusters(corpus.db, reps)
        corpus.db.conn.commit()
    alone = Corpus(paths["alone"])
    _add(alone, second, between=replace)
    replaced = Corpus(paths["replaced"])
    t = _add(replaced, second, CommittedCorpus(paths["replaced"]), between=replace)
    assert t["lookups_sent"] > 0 and t["lookups_taken"] == 0
    assert _result(replaced.db) == _result(alone.db)


def test_a_worker_reloads_filters_when_their_id_changes(tmp_path):
    first, _second = _split(_docs(seed=9))
    path = str(tmp_path / "c.db")
    c = Corpus(path)
    _add(c, first)
    view = CommittedCorpus(path)
    d = doc("http://a.example.cn/1.html", first[0]["text"] + "另外补充一句。")
    prepared = prepare(d.fingerprint, d.content_hash)
    assert "lookup" in view.check(d.fingerprint, d.content_hash, prepared)
    state = view.state
    view.check(d.fingerprint, d.content_hash, prepared)
    assert view.state is state  # nothing changed: the loaded filters are kept
    c.db.conn.execute("UPDATE dedup_state SET value = value + 1 WHERE name = 'filters_id'")
    c.db.conn.commit()
    view.check(d.fingerprint, d.content_hash, prepared)
    assert view.state is not state


def test_a_batch_too_big_to_keep_makes_the_writer_look_up_itself(tmp_path, monkeypatch):
    """What a batch posted is kept up to BATCH_POSTINGS postings (a rebuild is one long batch): past that, lookups
    made before it are not brought up to date, and the corpus is the writer's alone."""
    from fanwen.dedup import keyfilter

    first, second = _split(_docs(seed=10))
    paths = _corpora(tmp_path, first, ("alone", "big"))
    alone = Corpus(paths["alone"])
    _add(alone, second)
    kept = Corpus(paths["big"])
    monkeypatch.setattr(keyfilter, "BATCH_POSTINGS", 50)  # a batch of 8 documents posts a few hundred
    t = _add(kept, second, CommittedCorpus(paths["big"]), lag=1)
    assert t["lookups_sent"] > 0 and t["lookups_taken"] == 0
    assert _result(kept.db) == _result(alone.db)
