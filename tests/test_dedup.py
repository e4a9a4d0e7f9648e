"""fanwen.dedup: verification, joins, canonical choice, incremental == rebuild, compilations, and precision/recall
floors on a small generated set (the full benchmark is `python -m benchmarks.dedup`)."""
from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from cleaners.document import Document
from cleaners.fingerprint import content_hash, fingerprint_text
from fanwen import dedup
from fanwen.store import Corpus

COMMON = ("的一是在不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年阶义发成部民可出能方进"
          "同行面说种过命度革而多子后自社加小机也经力线本电高量长党得实家定深法表着水理化争现所二起政三好十战无农使性")


def speech(seed: int, paragraphs: int = 12, length: int = 120) -> list[str]:
    """A synthetic text: random characters, so two seeds share no n-grams by chance."""
    rng = random.Random(seed)
    return ["".join(rng.choice(COMMON) for _ in range(rng.randint(length - 30, length + 30))) + "。"
            for _ in range(paragraphs)]


def doc(url: str, text: str, title: str = "在全县工作会议上的讲话", **kw) -> Document:
    d = Document(url=url, site=url.split("/")[2], title=title, text=text, label="speech", **kw)
    d.fingerprint = fingerprint_text(text)
    d.content_hash = content_hash(d.fingerprint)
    return d


def add(corpus: Corpus, *docs: Document, low_trust: set[str] = frozenset()) -> list[int]:
    corpus.add_documents([(d, []) for d in docs], low_trust_sites=set(low_trust))
    return [corpus.db.execute("SELECT id FROM documents WHERE url = ?", [d.url]).fetchone()[0] for d in docs]


def clusters(db) -> dict[int, int]:
    return dict(db.execute("SELECT id, cluster_id FROM documents"))


def canonical(db) -> set[int]:
    return {r[0] for r in db.execute("SELECT id FROM documents WHERE is_canonical = 1")}


def partition(db) -> set[frozenset]:
    g = defaultdict(set)
    for i, c in clusters(db).items():
        g[c].add(i)
    return {frozenset(v) for v in g.values()}


# ------------------------------------------------------------------------------------------- sketches / compare
def test_minhash_is_datasketch_affine32():
    from datasketch import MinHash

    h = dedup.shingle_hashes(fingerprint_text("".join(speech(1))))
    m = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED, hashfunc=int)
    m.update_batch([int(x) & 0xFFFFFFFF for x in h])
    assert (dedup.minhash(h) == m.hashvalues).all()


def test_compare_kinds():
    a = "".join(speech(1))
    sk = lambda t: dedup.sketch(fingerprint_text(t))  # noqa: E731
    assert dedup.compare(sk(a), sk(a)).kind == "exact"
    noisy = "".join(p[:40] + "老秘网" + p[40:] for p in speech(1))  # a watermark in every paragraph
    assert dedup.compare(sk(a), sk(noisy)).kind == "near"
    preview = a[: len(a) * 4 // 10]
    m = dedup.compare(sk(a), sk(preview))
    assert m.kind == "contains" and m.a_is_bigger and m.cov_small > 0.95 and m.jaccard < 0.45
    other = "".join(speech(2))
    assert dedup.compare(sk(a), sk(other)) is None
    # a different speech sharing 60 % of the paragraphs is not a copy
    p1, p2 = speech(1), speech(2)
    mixed = "".join(p1[i] if i % 5 < 3 else p2[i] for i in range(12))
    assert dedup.compare(sk(a), sk(mixed)) is None


def test_index_keys_are_shared_by_copies_and_previews():
    a = fingerprint_text("".join(speech(3, paragraphs=20)))
    k_full = set(dedup.index_keys(dedup.sketch(a), content_hash(a)))
    k_prev = set(dedup.index_keys(dedup.sketch(a[: len(a) * 3 // 10]), "x"))
    k_tail = set(dedup.index_keys(dedup.sketch(a[len(a) // 2:]), "y"))  # the second half, as in a compilation
    assert k_full & k_prev and k_full & k_tail
    other = fingerprint_text("".join(speech(4, paragraphs=20)))
    assert not k_full & set(dedup.index_keys(dedup.sketch(other), content_hash(other)))


# ------------------------------------------------------------------------------------------- clusters in the store
def test_copies_join_previews_join_negatives_stay_apart(tmp_db):
    c = Corpus(tmp_db)
    p = speech(5)
    full = "\n".join(p)
    ids = add(c,
              doc("http://a.test/1.html", full),
              doc("http://b.test/2.html", "当前位置:首页 > 讲话\n" + full.replace("。", ",", 3) + "\n推荐访问:讲话"),
              doc("http://m.b.test/2.html", "\n\n".join(p)),  # mobile: an exact copy
              doc("http://c.test/3.html", full[: len(full) * 4 // 10] + "……", truncated=True),
              doc("http://d.test/4.html", "\n".join(p[:7] + speech(6)[7:])))  # shares 7 of 12 paragraphs
    cl = clusters(c.db)
    assert cl[ids[0]] == cl[ids[1]] == cl[ids[2]] == cl[ids[3]] == min(ids[:4])
    assert cl[ids[4]] == ids[4]
    kinds = Counter(r[0] for r in c.db.execute("SELECT kind FROM links"))
    assert kinds["exact"] == 1 and kinds["contains"] >= 1
    assert canonical(c.db) == {ids[0], ids[4]}
    assert c.db.execute("SELECT count(*) FROM speeches").fetchone()[0] == 2
    row = c.db.execute("SELECT size, sites, canonical_id FROM clusters WHERE id = ?", [ids[0]]).fetchone()
    assert row == (4, 4, ids[0])


def test_every_document_has_a_cluster(tmp_db):
    c = Corpus(tmp_db)
    add(c, doc("http://a.test/1.html", ""), doc("http://a.test/2.html", "短"), doc("http://a.test/3.html", "短"))
    rows = c.db.execute("SELECT id, cluster_id FROM documents ORDER BY id").fetchall()
    assert all(cid is not None for _, cid in rows)
    assert rows[0][1] == rows[0][0] and rows[1][1] == rows[2][1]  # empty text: alone; equal short texts: exact


def test_canonical_rule(tmp_db):
    c = Corpus(tmp_db)
    p = speech(7)
    full = "\n".join(p)
    mangled = full.replace(p[0][:2], p[0][:2]) + "效劳根底原那么〞" * 3
    ids = add(c,
              doc("http://hijacked.test/1.html", full, published="2020-01-01"),  # low trust: never canonical
              doc("http://a.test/1.html", full[: len(full) // 2], published="2020-01-02", truncated=True),
              doc("http://b.test/1.html", mangled, published="2020-01-03"),
              doc("http://c.test/1.html", full + "\n相关推荐 猜你喜欢 热门文章 联系客服", published="2021-05-01"),
              doc("http://d.test/1.html", full.replace("\n", "\n\n"), published="2022-01-01"),
              low_trust={"hijacked.test"})
    assert len(set(clusters(c.db).values())) == 1
    # complete, not mangled, no leftovers: the clean copy; the earlier ones are low-trust, truncated, mangled, or
    # carry leftovers (the clean copy d is an exact copy of the hijacked one, which is still never canonical)
    assert canonical(c.db) == {ids[4]}
    assert dedup.canonical_rank({"id": 1, "published": "2020"}) < dedup.canonical_rank({"id": 2, "published": "2021"})
    assert dedup.canonical_rank({"id": 2, "published": "2020"}) < dedup.canonical_rank({"id": 1, "published": None})
    assert dedup.canonical_rank({"id": 9, "truncated": 0, "mangled": 0.9}) < \
        dedup.canonical_rank({"id": 1, "truncated": 1})
    assert dedup.canonical_rank({"id": 9, "leftovers": 0.3}) < dedup.canonical_rank({"id": 1, "script": "traditional"})


def test_compilation_links_to_both_and_merges_neither(tmp_db):
    c = Corpus(tmp_db)
    s1, s2 = "\n".join(speech(8)), "\n".join(speech(9))
    t1, t2 = "在全市经济工作会议上的讲话", "在全县安全生产工作会议上的讲话"
    ids = add(c, doc("http://a.test/1.html", s1, t1), doc("http://a.test/2.html", s2, t2),
              doc("http://b.test/1.html", s1 + "\n谢谢大家!", t1))
    comp = add(c, doc("http://z.test/9.html", t1 + "\n" + s1 + "\n" + t2 + "\n" + s2, "领导讲话2篇"))[0]
    cl = clusters(c.db)
    assert cl[ids[0]] == cl[ids[2]] != cl[ids[1]]
    assert cl[comp] not in (cl[ids[0]], cl[ids[1]])
    linked = {r[0] for r in c.db.execute("SELECT doc_b FROM links WHERE doc_a = ? AND kind = 'contains'", [comp])}
    assert {cl[i] for i in linked} == {cl[ids[0]], cl[ids[1]]}
    assert c.db.execute("SELECT compilation FROM dedup_docs WHERE doc_id = ?", [comp]).fetchone()[0] == 1
    assert comp not in canonical(c.db)
    assert c.db.execute("SELECT count(*) FROM speeches").fetchone()[0] == 2


def test_compilation_cut_off_inside_its_second_speech(tmp_db):
    c = Corpus(tmp_db)
    p1, p2 = speech(15), speech(16)
    t1, t2 = "在全市经济工作会议上的讲话", "在全县安全生产工作会议上的讲话"
    ids = add(c, doc("http://a.test/1.html", "\n".join(p1), t1), doc("http://a.test/2.html", "\n".join(p2), t2))
    cut = t1 + "\n" + "\n".join(p1) + "\n" + t2 + "\n" + "\n".join(p2[:3])  # a docx preview of a compilation
    comp = add(c, doc("http://z.test/1.html", cut, "讲话稿2篇.docx", truncated=True))[0]
    cl = clusters(c.db)
    assert len({cl[ids[0]], cl[ids[1]], cl[comp]}) == 3
    kinds = {(a, b): (k, cov) for a, b, k, cov in c.db.execute("SELECT doc_a, doc_b, kind, containment FROM links")}
    assert kinds[(comp, ids[0])][0] in ("near", "contains")
    assert kinds[(comp, ids[1])][0] == "contains" and kinds[(comp, ids[1])][1] < dedup.LINK_COVERAGE
    assert c.db.execute("SELECT compilation FROM dedup_docs WHERE doc_id = ?", [comp]).fetchone()[0] == 1
    assert canonical(c.db) == set(ids)


def test_seams():
    fp = fingerprint_text("同志们:今天开会。" * 10 + "在全县安全生产工作会议上的讲话\n同志们:" + "安全生产。" * 20)
    assert dedup.seams(fp)[0] == 0 and len(dedup.seams(fp)) == 2
    assert fp[dedup.seams(fp)[1]:].startswith("同志们安全生产")


def test_preview_fitting_two_speeches_bridges_neither(tmp_db):
    c = Corpus(tmp_db)
    a, b = speech(10), speech(11)
    other = a[:6] + b[6:]  # a different speech opening with the same six paragraphs
    ids = add(c, doc("http://b.test/1.html", "\n".join(other), "在全镇春耕动员会上的讲话"),  # the lower id
              doc("http://a.test/1.html", "\n".join(a), "在全市工作会议上的讲话"),
              doc("http://c.test/1.html", "\n".join(a[:4]), "在全市工作会议上的讲话", truncated=True))
    cl = clusters(c.db)
    assert cl[ids[0]] != cl[ids[1]]
    assert cl[ids[2]] == cl[ids[1]]  # the title decides between two containers that hold it equally
    joins = dict(((a, b), j) for a, b, j in c.db.execute("SELECT doc_a, doc_b, joins FROM links"))
    assert joins == {(ids[0], ids[2]): 0, (ids[1], ids[2]): 1}


def _generated(n_speech: int = 6, n_other: int = 4):
    from benchmarks.dedup import load_bases

    bases = load_bases()
    speeches = [b for b in bases if b.meta.get("genre") == "speech"][:n_speech]
    others = [b for b in bases if b.meta.get("genre") != "speech"][:n_other]
    if len(speeches) < 4:
        pytest.skip("demo speeches are missing")
    return speeches + others


def _insert_raw(corpus, docs, batch):
    ids = []
    cols = ["url", "site", "title", "text", "published", "truncated", "mangled", "placeholders", "script",
            "low_trust", "label"]
    for i in range(0, len(docs), batch):
        part = []
        for d in docs[i:i + batch]:
            fp = fingerprint_text(d["text"])
            row = {k: d[k] for k in cols} | {"content_hash": content_hash(fp), "is_canonical": 0}
            cur = corpus.db.conn.execute(f"INSERT INTO documents ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                                         list(row.values()))
            d["id"] = cur.lastrowid
            part.append(cur.lastrowid)
        dedup.update_clusters(corpus.db, part)
        corpus.db.conn.commit()
        ids += part
    return ids


def test_generated_set_precision_recall_floors(tmp_db):
    from benchmarks.dedup import evaluate, quality_set

    docs = quality_set(_generated(), copies=1, seed=5)
    random.Random(1).shuffle(docs)
    c = Corpus(tmp_db)
    _insert_raw(c, docs, batch=25)
    ev = evaluate(c.db, docs)
    assert ev["precision"] >= 0.999
    assert ev["recall"] >= 0.97
    kinds = ev["kinds"]
    assert kinds["negatives merged"][1] == 0
    found = sum(hit for k, (n, hit) in kinds.items() if k in dedup_kinds())
    total = sum(n for k, (n, hit) in kinds.items() if k in dedup_kinds())
    assert found / total >= 0.97
    assert all(ok == n for n, ok in ev["compilations"].values())
    n, ok = ev["canonical"]
    assert ok == n


def dedup_kinds():
    return {"boilerplate", "placeholder", "pagemarker", "watermark", "script", "synonym", "preview40", "mobile"}


def test_incremental_equals_rebuild(tmp_db, tmp_path, monkeypatch):
    from benchmarks.dedup import quality_set

    monkeypatch.setattr(dedup.index, "HOT_KEYS", 300)  # keys move down the three tables many times on the way
    monkeypatch.setattr(dedup.index, "MID_KEYS", 1000)
    docs = quality_set(_generated(4, 2), copies=1, seed=8)
    random.Random(2).shuffle(docs)
    one = Corpus(tmp_db)
    _insert_raw(one, [dict(d) for d in docs], batch=1)  # one by one, as pages arrive
    before, canon = partition(one.db), canonical(one.db)
    links = set(one.db.execute("SELECT doc_a, doc_b, kind, joins FROM links"))
    dedup.rebuild(one.db)
    assert partition(one.db) == before and canonical(one.db) == canon
    assert set(one.db.execute("SELECT doc_a, doc_b, kind, joins FROM links")) == links
    dedup.rebuild(one.db, incremental=True)
    assert partition(one.db) == before and canonical(one.db) == canon
    batched = Corpus(str(tmp_path / "batched.db"))
    _insert_raw(batched, [dict(d) for d in docs], batch=40)
    assert partition(batched.db) == before and canonical(batched.db) == canon


def test_index_persists_across_runs(tmp_db):
    p = speech(12)
    c = Corpus(tmp_db)
    first = add(c, doc("http://a.test/1.html", "\n".join(p)))[0]
    c.close()
    dedup.index.sketches.data.clear()  # a new process: nothing in memory
    c = Corpus(tmp_db)
    later = add(c, doc("http://b.test/1.html", "\n".join(p[:5]) + "……(未完)", truncated=True))[0]
    assert clusters(c.db)[later] == first
    assert c.db.execute("SELECT count(*) FROM dedup_keys_new").fetchone()[0] > 0


def test_replacing_a_document_text_moves_it(tmp_db):
    c = Corpus(tmp_db)
    a, b = "\n".join(speech(13)), "\n".join(speech(14))
    ids = add(c, doc("http://a.test/1.html", a), doc("http://b.test/1.html", b), doc("http://c.test/1.html", a))
    assert clusters(c.db)[ids[2]] == ids[0]
    fp = fingerprint_text(b)
    c.db.execute("UPDATE documents SET text = ?, content_hash = ? WHERE id = ?", [b, content_hash(fp), ids[2]])
    dedup.update_clusters(c.db, [ids[2]])
    assert clusters(c.db)[ids[2]] == ids[1]
    assert np.all([cid is not None for cid in clusters(c.db).values()])


# ------------------------------------------------------------------------------------------- bounded candidates
def test_stock_passage_shared_by_many_documents_gives_bounded_candidates(tmp_db):
    """A stock passage (套话) in every document: its keys stop at POSTING_CAP postings, later documents get no
    candidates from it, documents sharing only it stay apart, and a real copy is still found."""
    stock = "".join(speech(900, paragraphs=6))  # ~720 characters, several content-defined chunks
    c = Corpus(tmp_db)
    n = 3 * dedup.POSTING_CAP
    texts = {}
    per_doc = []
    for j in range(n):
        p = speech(1000 + j)
        texts[j] = "\n".join(p[:6] + [stock] + p[6:])
        stats = c.add_documents([(doc(f"http://s{j}.test/{j}.html", texts[j]), [])])
        per_doc.append(stats["dedup"]["candidates"])
    # every key of the stock passage holds at most POSTING_CAP documents; the late batches verify (almost) nothing
    fp = fingerprint_text(stock)
    stock_keys = set(dedup.index_keys(dedup.sketch(fp), content_hash(fp)))
    counts = Counter(k for (k,) in c.db.execute(" UNION ALL ".join(f"SELECT key FROM {t}"
                                                                   for t in dedup.index.KEY_TABLES)))
    shared = [counts[k] for k in stock_keys if counts[k] > 1]
    assert shared and max(shared) <= dedup.POSTING_CAP
    # before the cap a document verifies (nearly) every one before it; after it, (nearly) none
    cap = dedup.POSTING_CAP
    assert per_doc[cap - 1] >= cap - 2 and max(per_doc[2 * cap:]) <= 1, per_doc
    assert len(partition(c.db)) == n  # sharing a stock passage is not copying
    # a copy of a late document (watermarked) still joins it
    late = n - 2
    copy = "\n".join(line[:30] + "老秘网" + line[30:] for line in texts[late].split("\n"))
    ids = add(c, doc("http://copy.test/1.html", copy))
    first = c.db.execute("SELECT id FROM documents WHERE url = ?", [f"http://s{late}.test/{late}.html"]).fetchone()[0]
    assert clusters(c.db)[ids[0]] == first


def test_near_copies_of_a_popular_speech_do_not_fill_its_posting_lists(tmp_db):
    """Many near copies of one speech: they post only the keys its first copy lacks, so a copy arriving after
    more than POSTING_CAP others still finds the cluster."""
    p = speech(950, paragraphs=14)
    c = Corpus(tmp_db)
    first = add(c, doc("http://a.test/0.html", "\n".join(p)))[0]
    rng = random.Random(4)
    for i in range(1, dedup.POSTING_CAP + 8):
        noisy = "\n".join(x[:k] + "范文网" + x[k:] for x in p for k in [rng.randint(10, 80)])
        ids = add(c, doc(f"http://c{i}.test/{i}.html", noisy))
        assert clusters(c.db)[ids[0]] == first, i


# ------------------------------------------------------------------------------------------- schema
def test_lean_schema_and_an_old_database_rebuilds(tmp_db):
    """New databases store no fingerprint and put the text last; a database made before (with a fingerprint
    column and no signatures) is upgraded in place and `fanwen dedup --rebuild` gives what placement gave."""
    import sqlite3

    from click.testing import CliRunner

    from fanwen.cli import main

    c = Corpus(tmp_db)
    cols = [r[1] for r in c.db.execute("PRAGMA table_info(documents)")]
    assert "fingerprint" not in cols and cols[-1] == "text"
    assert any(r[1] == "documents_stats" for r in c.db.execute("PRAGMA index_list(documents)"))
    plan = " ".join(r[3] for r in c.db.execute(
        "EXPLAIN QUERY PLAN SELECT site, count(*), sum(label = 'speech'), sum(is_canonical AND label = 'speech'), "
        "sum(truncated) FROM documents GROUP BY site"))
    assert "COVERING INDEX documents_stats" in plan
    p = speech(960)
    add(c, doc("http://a.test/1.html", "\n".join(p)), doc("http://b.test/1.html", "\n".join(p[:5]) + "……"),
        doc("http://c.test/1.html", "\n".join(speech(961))))
    before = partition(c.db)
    c.close()
    # the old layout: a fingerprint column, dedup_docs without signatures
    conn = sqlite3.connect(tmp_db)
    conn.execute("ALTER TABLE documents ADD COLUMN fingerprint TEXT")
    conn.execute("UPDATE documents SET fingerprint = 'stale'")
    conn.execute("CREATE TABLE d2 AS SELECT doc_id, fp_hash, rep, ngrams, signs, pinyin, compilation, preview, "
                 "leftovers, completeness FROM dedup_docs")
    conn.execute("DROP TABLE dedup_docs")
    conn.execute("ALTER TABLE d2 RENAME TO dedup_docs")
    conn.execute("DROP INDEX documents_stats")
    conn.commit()
    conn.close()
    r = CliRunner().invoke(main, ["dedup", "--rebuild", "--db", tmp_db])
    assert r.exit_code == 0, r.output
    c = Corpus(tmp_db)
    assert partition(c.db) == before
    assert c.db.execute("SELECT count(*) FROM dedup_docs WHERE sig IS NOT NULL").fetchone()[0] == 3
    assert any(r[1] == "documents_stats" for r in c.db.execute("PRAGMA index_list(documents)"))


def test_sketches_prepared_by_the_workers_place_as_the_writer_would(tmp_db, tmp_path):
    """`fanwen ingest` has the workers make each document's n-grams, keys and signature; the writer places with
    them and finds exactly the links that it finds computing them itself (`dedup.rebuild`)."""
    import json

    from click.testing import CliRunner

    from fanwen.cli import main
    from fanwen.dedup.sketch import from_prepared, keys_and_signature
    from fanwen.workers import process_item

    from benchmarks.dedup import quality_set

    docs = quality_set(_generated(4, 2), copies=1, seed=5)
    one = process_item({"url": docs[0]["url"], "title": docs[0]["title"], "text": docs[0]["text"]})
    assert one["dedup_sketch"] is not None
    sk, keys, sig, bands = from_prepared(one["fingerprint"], one["dedup_sketch"])
    own = dedup.sketch(one["fingerprint"])
    assert (sk.h == own.h).all() and (sk.u == own.u).all()
    assert (keys, sig, bands) == keys_and_signature(own, one["content_hash"])
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps({"url": d["url"], "title": d["title"], "text": d["text"]},
                                        ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(jsonl), "--db", tmp_db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    c = Corpus(tmp_db)
    links = set(c.db.execute("SELECT doc_a, doc_b, kind, joins, jaccard FROM links"))
    before = partition(c.db)
    assert len(links) >= len(docs) // 4 and len(before) < len(docs)
    dedup.rebuild(c.db)
    assert set(c.db.execute("SELECT doc_a, doc_b, kind, joins, jaccard FROM links")) == links
    assert partition(c.db) == before


def test_keys_move_down_three_tables_and_lookups_read_all_of_them(tmp_db, monkeypatch):
    """The posting lists are an LSM tree of three tables (index.merge_keys): with small thresholds the keys pass
    through all three, no key is lost or doubled on the way, and what the tables hold together is what a rebuild
    posts (where the big table holds everything at the end is irrelevant to lookups)."""
    monkeypatch.setattr(dedup.index, "HOT_KEYS", 150)
    monkeypatch.setattr(dedup.index, "MID_KEYS", 400)
    c = Corpus(tmp_db)
    seen = set()
    for j in range(40):
        add(c, doc(f"http://t{j}.test/{j}.html", "\n".join(speech(3000 + j))))
        sizes = {t: c.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in dedup.index.KEY_TABLES}
        seen.update(t for t, n in sizes.items() if n)
        assert sizes["dedup_keys_new"] < 150 + 100  # one document's keys at most past the threshold
    assert seen == set(dedup.index.KEY_TABLES)

    def postings():
        return sorted(c.db.execute(" UNION ALL ".join(f"SELECT key, doc_id FROM {t}" for t in dedup.index.KEY_TABLES)))

    incremental = postings()
    assert len(incremental) == len(set(incremental))
    state = dict(c.db.execute("SELECT name, value FROM dedup_state"))
    assert state["big_keys"] == c.db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]
    monkeypatch.setattr(dedup.index, "HOT_KEYS", 10**9)  # everything stays in the newest table
    dedup.rebuild(c.db)
    assert c.db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0] == 0
    assert postings() == incremental


def test_a_corpus_from_before_the_middle_table_keeps_finding_its_copies(tmp_db, monkeypatch):
    """A corpus made when the index had two tables (dedup_keys, dedup_keys_new; no middle table, no big-table count)
    is opened and written to: the middle table is made, the big table counted once, its keys still found."""
    monkeypatch.setattr(dedup.index, "HOT_KEYS", 150)
    monkeypatch.setattr(dedup.index, "MID_KEYS", 400)
    c = Corpus(tmp_db)
    texts = {j: "\n".join(speech(5000 + j)) for j in range(20)}
    first = {j: add(c, doc(f"http://old{j}.test/{j}.html", texts[j]))[0] for j in range(20)}
    with c.db.conn:  # the two-table layout: everything in dedup_keys or dedup_keys_new, no counts beyond new_keys
        c.db.execute("INSERT OR IGNORE INTO dedup_keys SELECT key, doc_id FROM dedup_keys_mid")
        c.db.execute("DROP TABLE dedup_keys_mid")
        c.db.execute("DELETE FROM dedup_state WHERE name IN ('mid_keys', 'big_keys')")
    c.close()
    c = Corpus(tmp_db)
    try:
        assert c.db.execute("SELECT count(*) FROM dedup_keys_mid").fetchone()[0] == 0
        for j in range(20, 40):  # enough keys to move down both tables again
            add(c, doc(f"http://new{j}.test/{j}.html", "\n".join(speech(5000 + j))))
        state = dict(c.db.execute("SELECT name, value FROM dedup_state"))
        assert state["big_keys"] == c.db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0] > 0
        copy = add(c, doc("http://copy.test/3.html", texts[3].replace("。", "。本文来源于网络。", 2)))[0]
        assert clusters(c.db)[copy] == first[3]
    finally:
        c.close()


# ------------------------------------------------------------------------------------------- lookups (keyfilter)
def _raw_lookup(db, keys: list[int]) -> tuple[dict[int, list[int]], set[int]]:
    """What a lookup must answer, straight from the three tables: postings of the keys with fewer than
    POSTING_CAP of them, and the stop keys."""
    out = defaultdict(list)
    for k in keys:
        for t in dedup.index.KEY_TABLES:
            out[k] += [r[0] for r in db.execute(f"SELECT doc_id FROM {t} WHERE key = ?", [k])]
    stop = {k for k, lst in out.items() if len(lst) >= dedup.index.POSTING_CAP}
    return {k: lst for k, lst in out.items() if lst and k not in stop}, stop


def _stock_corpus(c: Corpus, n: int, start: int = 0) -> None:
    """Speeches that share stock passages (each of a few shared paragraphs in many of them), some near copies."""
    stock = speech(777, paragraphs=6)
    for j in range(start, start + n):
        own = speech(9000 + j, paragraphs=6)
        text = "\n".join(own[:3] + [stock[j % 6], stock[(j * 7) % 6]] + own[3:])
        add(c, doc(f"http://s{j}.test/{j}.html", text))
        if j % 5 == 0:
            add(c, doc(f"http://copy{j}.test/{j}.html", text.replace("。", "。本文来源于网络。", 2)))


def _all_keys(db) -> list[int]:
    return sorted({r[0] for t in dedup.index.KEY_TABLES for r in db.execute(f"SELECT key FROM {t}")})


def test_lookups_skip_stop_keys_and_filtered_keys_and_answer_as_the_tables_do(tmp_db, monkeypatch):
    """With the keys moved through all three tables and stop keys made by shared passages, a lookup answers for
    every stored key (and for keys stored nowhere) exactly what the tables say, the stop keys recorded are exactly
    the keys with full lists, and keys that are nowhere are asked of the older tables only when a filter errs."""
    monkeypatch.setattr(dedup.index, "HOT_KEYS", 150)
    monkeypatch.setattr(dedup.index, "MID_KEYS", 400)
    monkeypatch.setattr(dedup.index, "POSTING_CAP", 3)
    c = Corpus(tmp_db)
    try:
        _stock_corpus(c, 40)
        keys = _all_keys(c.db)
        absent = [k + (1 << 40) for k in keys]  # 47-bit keys no document has (the tables hold < 2^40 ones rarely)
        absent = [k for k in absent if k not in set(keys)]
        with c.db.conn:
            index = dedup.index.KeyIndex(c.db)
            posted, stop = index.lookup(keys + absent)
        want_posted, want_stop = _raw_lookup(c.db, keys + absent)
        assert stop == want_stop and len(stop) > 0
        assert {k: sorted(v) for k, v in posted.items()} == {k: sorted(v) for k, v in want_posted.items()}
        assert {r[0] for r in c.db.execute("SELECT key FROM dedup_stop_keys")} == want_stop
        assert c.db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0] > 0
        assert len(index.state.maybe_older(absent)) <= 0.05 * len(absent) + 2
        assert len(index.state.maybe_older(keys)) >= sum(
            c.db.execute(f"SELECT count(DISTINCT key) FROM {t}").fetchone()[0] for t in dedup.index.KEY_TABLES[1:])
    finally:
        c.close()


def test_lookup_state_is_read_again_after_a_rollback_a_reopen_and_a_removal(tmp_db, monkeypatch):
    """The cached stop keys and filters never outlive the tables they mirror: a batch rolled back after a key
    became a stop key, a corpus reopened, a corpus from before the filters (no stop keys, no filters, no token), one
    whose keys a version from before the filters moved, and a re-placed document whose keys were stop keys all leave the lookups answering as the tables do."""
    monkeypatch.setattr(dedup.index, "HOT_KEYS", 150)
    monkeypatch.setattr(dedup.index, "MID_KEYS", 400)
    monkeypatch.setattr(dedup.index, "POSTING_CAP", 3)
    c = Corpus(tmp_db)

    def check():
        keys = _all_keys(c.db)
        with c.db.conn:
            posted, stop = dedup.index.KeyIndex(c.db).lookup(keys)
        want_posted, want_stop = _raw_lookup(c.db, keys)
        assert stop == want_stop
        assert {k: sorted(v) for k, v in posted.items()} == {k: sorted(v) for k, v in want_posted.items()}
        assert {r[0] for r in c.db.execute("SELECT key FROM dedup_stop_keys")} == want_stop

    try:
        _stock_corpus(c, 12)
        stops_before = {r[0] for r in c.db.execute("SELECT key FROM dedup_stop_keys")}
        with pytest.raises(RuntimeError):
            with c.db.conn:  # a batch that fills more lists, then fails
                index = dedup.index.KeyIndex(c.db)
                fresh = [k for k in _all_keys(c.db) if k not in stops_before][:5]
                index.add(10**6, fresh, fresh)
                assert set(fresh) <= index.state.stop
                raise RuntimeError("the batch fails")
        assert {r[0] for r in c.db.execute("SELECT key FROM dedup_stop_keys")} == stops_before
        check()
        _stock_corpus(c, 12, start=12)
        check()
        with c.db.conn:  # a corpus from before the filters
            c.db.execute("DELETE FROM dedup_stop_keys")
            c.db.execute("DELETE FROM dedup_filters")
            c.db.execute("DELETE FROM dedup_state WHERE name = 'filter_token'")
        c.close()
        c = Corpus(tmp_db)
        check()
        # counts of the merge thresholds that removals left too high, in a corpus from before the filters: they
        # are built once, not at every opening
        builds = []
        monkeypatch.setattr(dedup.keyfilter, "build", lambda *a, _b=dedup.keyfilter.build: builds.append(1) or _b(*a))
        with c.db.conn:
            c.db.execute("UPDATE dedup_state SET value = value + 7 WHERE name IN ('mid_keys', 'big_keys')")
            c.db.execute("DELETE FROM dedup_state WHERE name = 'filter_token'")
        for _ in range(2):
            c.close()
            c = Corpus(tmp_db)
            check()
        assert len(builds) == 1
        # a version from before the filters moves keys into the middle table (no filter for them), then this one
        # opens the corpus again: the filters hold fewer keys than the tables were given, so they are built again
        _stock_corpus(c, 4, start=30)
        with c.db.conn:
            moved = dedup.index._move_keys(c.db, "dedup_keys_new", "dedup_keys_mid")
            c.db.execute("UPDATE dedup_state SET value = value + ? WHERE name = 'mid_keys'", [moved])
        assert moved > 0
        c.close()
        c = Corpus(tmp_db)
        check()
        # a document that holds stop keys gets a new text: it is placed again, its old keys leave their lists
        holder = c.db.execute("SELECT k.doc_id FROM dedup_keys_new k JOIN dedup_stop_keys s USING (key) "
                              "UNION SELECT k.doc_id FROM dedup_keys_mid k JOIN dedup_stop_keys s USING (key) "
                              "UNION SELECT k.doc_id FROM dedup_keys k JOIN dedup_stop_keys s USING (key) "
                              "LIMIT 1").fetchone()[0]
        with c.db.conn:
            c.db.execute("UPDATE documents SET text = ? WHERE id = ?", ["\n".join(speech(4242)), holder])
            dedup.update_clusters(c.db, [holder])
        check()
        _stock_corpus(c, 6, start=24)
        check()
    finally:
        c.close()
