"""Per-site configuration: one TOML file per site in crawler/sites/.

A file says where a site keeps its speeches and how its pages are shaped:

    name = "sanweiyuan"                       # the site's key (file name without .toml)
    title = "三味园范文网"
    domains = ["sanweiyuan.com"]              # allowed domains; subdomains included
    start_urls = ["http://www.sanweiyuan.com/news/list_5_1.html"]
    guessed = ["start_urls", "list"]          # which entries are best guesses (not seen on the live site)
    search = "http://www.sanweiyuan.com/search.php?q={query}"   # optional site search
    sitemaps = []                              # optional sitemap URLs

    [urls]
    article = ['/news/(?P<id>\\d+)\\.html$']   # regexes on the URL path+query; group `id` names the article
    article_page = ['/news/(?P<id>\\d+)_(?P<page>\\d+)\\.html$']   # further pages of one article
    list = ['/news/list_\\d+_\\d+\\.html$']     # list (channel) pages, paginated
    deny = ['/book/', '/read/']                # never followed (web novels, login, print views …)
    canonical = "http://www.sanweiyuan.com/news/{id}.html"   # one URL per article, whatever form was linked
    canonical_hosts = { "huaboedu.com" = "http://www.huaboedu.com/news/{id}.html" }  # optional: per-domain template
                                               # (a domain of the family that numbers its articles itself)

    [clean]                                    # per-site cleaning rules, applied after the generic ones
    drop_lines = ['^三味园范文网']              # regexes: a whole line matching is dropped
    cut_from = ['《[^》]{2,80}》由互联网用户分享整理']  # regexes: the text from the match onward is dropped
    watermarks = ['三味园范文网']               # strings injected into the text, removed wherever they occur
    channel_deny = ['作文', '申请书']           # anchor words of channels the focused crawl never enters
    # optional, site-specific hints for the cleaners (ignored by the loader, kept in SiteConfig.clean):
    # page_markers = '<regex>'  docx-preview page markers ("N、") to delete;  truncation = '<regex>' end-of-copy mark;
    # synonym_swaps = {"开展" = "发展", …} 伪原创 swaps this site applies (fingerprint only);  keep_tokens = ['(单字替换)'];
    # summary_line = '<regex>' a line followed by a one-line summary;  title_glued = true  title glued to the body;
    # kind = "forum" replies are content (density pass allowed);  prune_xpath = ['<xpath>'] DOM blocks removed first.

`channel_deny` may also be given at top level; `SiteConfig.channel_deny` is the union of both places.
Templates (`canonical`, `canonical_hosts`) may use {id}, {scheme} and {host} (the host of the URL being mapped).
URL regexes are searched (re.search) against the URL's path plus "?query".
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit, urlunsplit

SITES_DIR = Path(__file__).with_name("sites")
DEMO_SUFFIX = ".test"  # the demo serves each configured site under <domain>.test (a reserved TLD)


class SiteConfigError(ValueError):
    """A site file that cannot be used: the message names the file and the problem."""


@dataclass
class SiteConfig:
    name: str
    title: str = ""
    domains: list[str] = field(default_factory=list)
    start_urls: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)
    search: str | None = None
    sitemaps: list[str] = field(default_factory=list)
    article: list[re.Pattern] = field(default_factory=list)
    article_page: list[re.Pattern] = field(default_factory=list)
    list: list[re.Pattern] = field(default_factory=list)
    deny: list[re.Pattern] = field(default_factory=list)
    canonical: str | None = None
    clean: dict = field(default_factory=dict)
    path: Path | None = None
    canonical_hosts: dict[str, str] = field(default_factory=dict)  # domain -> canonical template for that domain
    channel_deny_top: list[str] = field(default_factory=list)  # top-level channel_deny (see `channel_deny`)

    @property
    def channel_deny(self) -> list[str]:
        """Anchor words of channels the focused crawl never enters ([clean] channel_deny plus top-level)."""
        words = list(self.channel_deny_top) + list(self.clean.get("channel_deny", []))
        return list(dict.fromkeys(words))

    # --- URL classification -------------------------------------------------------------
    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    @staticmethod
    def _target(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")

    def is_denied(self, url: str) -> bool:
        t = self._target(url)
        return any(p.search(t) for p in self.deny)

    def article_id(self, url: str) -> tuple[str, int] | None:
        """(article id, page number) when the URL is an article page, else None."""
        t = self._target(url)
        for p in self.article_page:
            m = p.search(t)
            if m:
                return m.group("id"), int(m.group("page"))
        for p in self.article:
            m = p.search(t)
            if m:
                gd = m.groupdict()
                return (gd.get("id") or t), int(gd.get("page") or 1)
        return None

    def is_article(self, url: str) -> bool:
        return not self.is_denied(url) and self.article_id(url) is not None

    def is_list(self, url: str) -> bool:
        t = self._target(url)
        return not self.is_denied(url) and any(p.search(t) for p in self.list)

    def canonical_url(self, url: str) -> str:
        """One URL per article: the template filled with the article id, else the URL without fragment."""
        found = self.article_id(url)
        parts = urlsplit(url)
        template = self.canonical
        if found and self.canonical_hosts:
            host = (parts.hostname or "").lower()
            best = max((d for d in self.canonical_hosts if host == d or host.endswith("." + d)), key=len, default=None)
            if best:
                template = self.canonical_hosts[best]
        if found and template:
            return template.format(id=found[0], scheme=parts.scheme, host=parts.hostname)
        return normalise_url(url)

    def rehost(self, suffix: str) -> "SiteConfig":
        """The same site served under `<domain><suffix>` (the demo serves `www.caiyes.cn.test`)."""
        def move(u: str) -> str:
            parts = urlsplit(u)
            host = parts.hostname or ""
            netloc = host + suffix + (f":{parts.port}" if parts.port else "")
            return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

        def move_template(t: str | None) -> str | None:
            if not t:
                return t
            return re.sub(r"^(https?://)([^/{]+)", lambda m: m.group(1) + m.group(2) + suffix, t)

        clone = SiteConfig(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        clone.domains = [d + suffix for d in self.domains]
        clone.start_urls = [move(u) for u in self.start_urls]
        clone.sitemaps = [move(u) for u in self.sitemaps]
        clone.search = move_template(self.search)
        clone.canonical = move_template(self.canonical)
        clone.canonical_hosts = {d + suffix: move_template(t) for d, t in self.canonical_hosts.items()}
        return clone


def normalise_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), parts.path or "/", parts.query, ""))


def _compile(path: Path, key: str, patterns: Iterable[str]) -> list[re.Pattern]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise SiteConfigError(f"{path.name}: bad regex in {key}: {p!r} ({exc})") from None
    return out


def load_site(path: Path) -> SiteConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path}: cannot read site config ({exc})") from None
    urls = data.get("urls", {})
    name = data.get("name") or path.stem
    if not data.get("domains"):
        raise SiteConfigError(f"{path.name}: 'domains' is required")
    return SiteConfig(
        name=name,
        title=data.get("title", name),
        domains=[d.lower() for d in data["domains"]],
        start_urls=list(data.get("start_urls", [])),
        guessed=list(data.get("guessed", [])),
        search=data.get("search"),
        sitemaps=list(data.get("sitemaps", [])),
        article=_compile(path, "article", urls.get("article", [])),
        article_page=_compile(path, "article_page", urls.get("article_page", [])),
        list=_compile(path, "list", urls.get("list", [])),
        deny=_compile(path, "deny", urls.get("deny", [])),
        canonical=urls.get("canonical"),
        clean=dict(data.get("clean", {})),
        path=path,
        canonical_hosts={d.lower(): t for d, t in (urls.get("canonical_hosts") or {}).items()},
        channel_deny_top=list(data.get("channel_deny", [])),
    )


def sites_dir(directory: str | None = None) -> Path:
    """The folder of site configs: `directory`, else $FANWEN_SITES_DIR (`fanwen crawl --sites-dir`, the Scrapy
    setting FANWEN_SITES_DIR), else the bundled crawler/sites."""
    chosen = directory or os.environ.get("FANWEN_SITES_DIR") or None
    return Path(chosen).expanduser().resolve() if chosen else SITES_DIR


def load_sites(directory: str | None = None) -> dict[str, SiteConfig]:
    return _load_sites(str(sites_dir(directory)))


@lru_cache(maxsize=8)
def _load_sites(directory: str) -> dict[str, SiteConfig]:
    folder = Path(directory)
    if not folder.is_dir():
        raise SiteConfigError(f"{folder}: sites directory not found")
    sites = {}
    for path in sorted(folder.glob("*.toml")):
        cfg = load_site(path)
        if cfg.name in sites:
            raise SiteConfigError(f"{path.name}: site name {cfg.name!r} already used by {sites[cfg.name].path.name}")
        sites[cfg.name] = cfg
    if not sites:
        raise SiteConfigError(f"{folder}: no site configs (*.toml) in this directory")
    return sites


load_sites.cache_clear = _load_sites.cache_clear  # type: ignore[attr-defined]


def _owner(host: str, sites: dict[str, SiteConfig]) -> SiteConfig | None:
    best, best_len = None, -1
    for cfg in sites.values():
        for d in cfg.domains:
            if (host == d or host.endswith("." + d)) and len(d) > best_len:
                best, best_len = cfg, len(d)
    return best


def site_for_url(url: str, sites: dict[str, SiteConfig] | None = None) -> SiteConfig | None:
    """The configured site that owns the URL's host (longest domain wins), or None for an unknown site.

    A demo URL (`<domain>.test`) that no given config owns belongs to the configured site rehosted under DEMO_SUFFIX.
    """
    host = (urlsplit(url).hostname or "").lower()
    found = _owner(host, load_sites() if sites is None else sites)
    if found is None and host.endswith(DEMO_SUFFIX):
        base = _owner(host[: -len(DEMO_SUFFIX)], load_sites())
        found = base.rehost(DEMO_SUFFIX) if base else None
    return found
