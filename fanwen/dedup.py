"""Dedup stage (first version: exact copies only; the near-duplicate issue replaces this module)."""
from __future__ import annotations

import sqlite_utils


def ensure_schema(db: sqlite_utils.Database) -> None:
    if "links" not in db.table_names():
        db["links"].create({"doc_a": int, "doc_b": int, "kind": str, "jaccard": float, "containment": float},
                           pk=("doc_a", "doc_b"))
    db.execute("DROP VIEW IF EXISTS clusters")
    db.execute("""CREATE VIEW clusters AS
        SELECT cluster_id AS id, count(*) AS size, group_concat(DISTINCT site) AS sites,
               max(CASE WHEN is_canonical = 1 THEN id END) AS canonical_id
        FROM documents GROUP BY cluster_id""")


def _choose_canonical(db, cluster_id: int) -> None:
    rows = db.execute("SELECT id FROM documents WHERE cluster_id = ? ORDER BY truncated, mangled, "
                      "coalesce(published, '9999'), id", [cluster_id]).fetchall()
    db.execute("UPDATE documents SET is_canonical = (id = ?) WHERE cluster_id = ?", [rows[0][0], cluster_id])


def update_clusters(db: sqlite_utils.Database, doc_ids: list[int]) -> dict:
    stats = {"exact": 0, "new_clusters": 0}
    for doc_id in doc_ids:
        h = db.execute("SELECT content_hash FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
        other = db.execute("SELECT id, cluster_id FROM documents WHERE content_hash = ? AND id != ? "
                           "AND cluster_id IS NOT NULL ORDER BY id LIMIT 1", [h, doc_id]).fetchone()
        if other:
            cluster = other[1]
            db.execute("INSERT OR IGNORE INTO links VALUES (?, ?, 'exact', 1.0, 1.0)", [other[0], doc_id])
            stats["exact"] += 1
        else:
            cluster = doc_id
            stats["new_clusters"] += 1
        db.execute("UPDATE documents SET cluster_id = ? WHERE id = ?", [cluster, doc_id])
        _choose_canonical(db, cluster)
    return stats


def rebuild(db: sqlite_utils.Database) -> dict:
    with db.conn:
        db.execute("DELETE FROM links")
        db.execute("UPDATE documents SET cluster_id = NULL, is_canonical = 0")
        ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY id")]
        return update_clusters(db, ids)
