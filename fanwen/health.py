"""Crawl health: per-site counters for every crawl (`crawl_sites`), error counts by kind, and yield alerts.

Counters live in Scrapy stats under `fanwen/site/<site>/<kind>` (any component may add a kind, e.g.
`unusable_pages`); at the end of a crawl `record_crawl` turns them into one `crawl_sites` row per site and fills the
crawl's `errors`, `error_counts` (JSON, one count per kind) and `robots_blocked` columns. Robots-blocked URLs are a
policy, not a failure: they are counted apart and never in `errors`.

Alerts compare a site's latest run with its own last 5 runs that fetched articles: documents or speeches per article
fetched under a third of the median (a layout change, a block page served as an article), or extraction failures and
empty pages jumping. `fanwen crawl --fail-on-alert` exits non-zero on any alert, so cron mails it.
"""
from __future__ import annotations

import json
from statistics import median

PREFIX = "fanwen/site/"
# integer columns of crawl_sites, in display order (http_errors is a JSON column: {status: count})
COUNT_COLUMNS = ["requests", "list_pages", "article_pages", "documents", "speeches", "extract_errors",
                 "unusable_pages", "storage_errors", "download_errors", "robots_blocked"]
CRAWL_SITES_SCHEMA = {"crawl_id": int, "site": str, **{c: int for c in COUNT_COLUMNS}, "http_errors": str,
                      "seconds": float}
HISTORY_RUNS = 5
MIN_ARTICLES = 3  # a run that fetched fewer article pages says nothing about the site's yield


def key(site: str, kind: str) -> str:
    return f"{PREFIX}{site}/{kind}"


def site_counts(stats: dict) -> dict[str, dict]:
    """{site: {kind: value}} from the flat `fanwen/site/<site>/<kind>` stats ('http_<status>' kinds included)."""
    out: dict[str, dict] = {}
    for k, v in stats.items():
        if k.startswith(PREFIX) and isinstance(v, (int, float)):
            site, _, kind = k[len(PREFIX):].rpartition("/")
            if site:
                out.setdefault(site, {})[kind] = v
    return out


def error_counts(per_site: dict[str, dict], stats: dict) -> dict[str, int]:
    """The crawl's failures by kind: http_<status> (final responses), download, extract, storage, spider."""
    counts: dict[str, int] = {}
    for kinds in per_site.values():
        for kind, v in kinds.items():
            if kind.startswith("http_"):
                counts[kind] = counts.get(kind, 0) + int(v)
            elif kind in ("download_errors", "extract_errors", "storage_errors"):
                name = kind[: -len("_errors")]
                counts[name] = counts.get(name, 0) + int(v)
    spider = int(stats.get("spider_exceptions/count", 0) or 0)
    if spider:
        counts["spider"] = spider
    return dict(sorted(counts.items()))


def site_rows(crawl_id: int, per_site: dict[str, dict]) -> list[dict]:
    rows = []
    for site, kinds in sorted(per_site.items()):
        row = {"crawl_id": crawl_id, "site": site, **{c: int(kinds.get(c, 0)) for c in COUNT_COLUMNS}}
        http = {k[len("http_"):]: int(v) for k, v in sorted(kinds.items()) if k.startswith("http_")}
        row["http_errors"] = json.dumps(http)
        first, last = kinds.get("first_ts"), kinds.get("last_ts")
        row["seconds"] = round(float(last - first), 2) if first and last else 0.0
        rows.append(row)
    return rows


def record_crawl(db, crawl_id: int, stats: dict) -> dict:
    """Write the crawl's crawl_sites rows; returns the crawls columns {errors, error_counts, robots_blocked}."""
    per_site = site_counts(stats)
    rows = site_rows(crawl_id, per_site)
    with db.conn:
        db.execute("DELETE FROM crawl_sites WHERE crawl_id = ?", [crawl_id])
        if rows:
            db["crawl_sites"].insert_all(rows)
    counts = error_counts(per_site, stats)
    return {"errors": sum(counts.values()), "error_counts": json.dumps(counts),
            "robots_blocked": sum(int(k.get("robots_blocked", 0)) for k in per_site.values())}


# ---------------------------------------------------------------------------------------------- alerts
def _rate(row: dict, column: str) -> float:
    return row[column] / row["article_pages"] if row["article_pages"] else 0.0


def _failure_rate(row: dict) -> float:
    return _rate(row, "extract_errors") + _rate(row, "unusable_pages")


def alerts_for(row: dict, history: list[dict]) -> list[str]:
    """Alerts for one crawl_sites row against the site's earlier rows (newest first)."""
    history = [h for h in history if h["article_pages"] >= MIN_ARTICLES][:HISTORY_RUNS]
    site, out = row["site"], []
    http = sum(json.loads(row.get("http_errors") or "{}").values())
    if row["requests"] >= 10 and http >= row["requests"] / 2:
        before = [sum(json.loads(h.get("http_errors") or "{}").values()) / max(1, h["requests"]) for h in history]
        if not before or median(before) < 0.1:
            out.append(f"{site}: {http} of {row['requests']} requests ended in HTTP errors (blocked?)")
    if row["article_pages"] < MIN_ARTICLES or not history:
        return out
    for column, what in (("documents", "documents"), ("speeches", "speeches")):
        usual = median(_rate(h, column) for h in history)
        now = _rate(row, column)
        if usual > 0 and now < usual / 3:
            out.append(f"{site}: {what} per article fetched fell to {now:.2f} (median of its last {len(history)} "
                       f"runs {usual:.2f}; layout change?)")
    usual = median(_failure_rate(h) for h in history)
    now = _failure_rate(row)
    if now >= 0.2 and now > 3 * usual + 0.05:
        out.append(f"{site}: extraction failures and empty pages jumped to {now:.2f} per article fetched "
                   f"(median of its last {len(history)} runs {usual:.2f})")
    return out


def _rows(db, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def crawl_alerts(db, crawl_id: int) -> list[str]:
    """Yield alerts of one crawl (every site it crawled)."""
    if "crawl_sites" not in db.table_names():
        return []
    out = []
    for row in _rows(db, "SELECT * FROM crawl_sites WHERE crawl_id = ? ORDER BY site", [crawl_id]):
        history = _rows(db, "SELECT * FROM crawl_sites WHERE site = ? AND crawl_id < ? ORDER BY crawl_id DESC "
                            "LIMIT 20", [row["site"], crawl_id])
        out += alerts_for(row, history)
    return out


def latest_health(db) -> tuple[list[dict], list[str]]:
    """Each site's latest crawl_sites row and the alerts of those rows (what `fanwen stats --health` shows)."""
    if "crawl_sites" not in db.table_names():
        return [], []
    latest = _rows(db, "SELECT s.* FROM crawl_sites s JOIN (SELECT site, max(crawl_id) AS crawl_id FROM crawl_sites "
                       "GROUP BY site) m USING (site, crawl_id) ORDER BY site")
    alerts = []
    for row in latest:
        history = _rows(db, "SELECT * FROM crawl_sites WHERE site = ? AND crawl_id < ? ORDER BY crawl_id DESC "
                            "LIMIT 20", [row["site"], row["crawl_id"]])
        alerts += alerts_for(row, history)
    return latest, alerts
