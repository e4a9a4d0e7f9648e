"""Which links a page offers the crawler, and which channels the focused crawl does not enter.

Shared by the spider and by the demo's ground truth (`fanwen.demo.generator.focused_reach`), so both follow links the
same way.
"""
from __future__ import annotations

from scrapy.http import TextResponse

from crawler.middlewares import url_is_safe
from crawler.siteconfig import SiteConfig

SKIP_SCHEMES = ("#", "javascript:", "mailto:", "tel:", "file:", "data:")


def page_links(response: TextResponse, site: SiteConfig) -> dict[str, list[str]]:
    """Every followable link on the page: absolute URL -> its anchor texts.

    A URL is often linked twice (an empty icon link, then the title link), so all anchors are kept and the caller
    uses the best one. Only http(s) links to a host name inside the site's domains, not denied by its config, count.
    """
    links: dict[str, list[str]] = {}
    for a in response.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(SKIP_SCHEMES):
            continue
        try:
            url = response.urljoin(href)
        except ValueError:
            continue
        url = url.split("#", 1)[0]
        if url not in links:
            if not url_is_safe(url, site.domains) or site.is_denied(url):
                continue
            links[url] = []
        anchor = " ".join(t.strip() for t in a.css("::text").getall() if t.strip()) or a.attrib.get("title", "")
        if anchor:
            links[url].append(anchor)
    return links


def denied_branch(site: SiteConfig, anchors: list[str], model) -> bool:
    """A channel of another genre (作文, 申请书, 学生演讲稿 …): every anchor of the link names one."""
    if not anchors:
        return False
    return all(any(w and w in a for w in site.channel_deny) or model.is_denied_branch(a) for a in anchors)
