"""The layout zoo: the project's own speech texts put into real page chrome, in rotating markups and boilerplate.

Built at run time from the real pages under ../shared/bench/extraction/ (nothing from there is copied into the
repository): for each page with a hand-marked main text, the smallest element holding that text is its article
container; its content is replaced by an original demo speech (fanwen/demo/content/speeches) in one of the markups

    p        one <p> per paragraph          br      one block of <br>-separated lines
    div      one <div> per paragraph        indent  U+3000-indented paragraphs
    td       a two-cell table: the speech in one <td> (<br> lines), a sidebar of ·title links in the other
    font     old-style <font> runs ended by <br><br>

and the page is written back in its own encoding. Some pages get 范文 boilerplate inline (a lead-in sentence glued
to the first paragraph, header fields, the title repeated, a paywall tail, watermark lines, a docx share line …):
`boiler` names the family, "sites" for boilerplate quoted in SITES.md, "other" for phrasings of sites nobody
configured, "none" for the speech alone in real chrome. The gold is the inserted speech (what a reader should get).

Old table-based GB2312 layouts written here (`own_table_cases`) and multi-post index pages written here
(`own_multipost_cases`: the speech is one of several sibling posts) complete the zoo.

Every case has a `half`: "tune" or "held", from a hash of its source page, so that all variants of one real page
fall in the same half. Tune on "tune" only; "held" is the honest figure.
"""
from __future__ import annotations

import hashlib
import html as htmlmod
import json
import re
from dataclasses import dataclass, field

from benchmarks.common import SHARED, bigrams

MARKUPS = ["p", "br", "div", "indent", "td", "font"]
BOILER_SITES = ["leadin", "bgz_header", "title_twice", "paywall_bgz", "docx_share", "xiaobian_tail"]
BOILER_OTHER = ["gongwensou", "editor_note", "xinwenmi_cut", "watermark_lines", "unfinished", "source_line"]


@dataclass
class ZooCase:
    name: str
    source: str  # the real page it was built from (or own:N)
    half: str  # tune | held
    markup: str
    boiler: str  # none | sites | other
    variant: str
    url: str
    body: bytes
    gold: str
    title: str
    meta: dict = field(default_factory=dict)


def half_of(key: str) -> str:
    return "held" if hashlib.sha1(key.encode()).digest()[0] % 2 else "tune"


def _demo_texts(folder: str, label: str) -> list:
    """The demo's own texts of one folder (fanwen/demo/content/<folder>), parsed."""
    from fanwen.demo.texts import CONTENT_DIR, parse_text

    parsed = (parse_text(p, label) for p in sorted((CONTENT_DIR / folder).glob("*.txt")))
    return [t for t in parsed if t]


def _speeches():
    return _demo_texts("speeches", "speech")


# ---------------------------------------------------------------------------------------------------------------
# finding the article container of a real page


def _encoding_of(body: bytes) -> str:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", body[:8192], re.I)
    declared = m.group(1).decode("ascii", "ignore").lower() if m else ""
    try:
        body.decode("utf-8")
        return "utf-8" if declared in ("", "utf-8", "utf8") else ("utf-8" if not declared.startswith("gb") else "gb18030")
    except UnicodeDecodeError:
        return "gb18030"


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def find_container(tree, gold: str):
    """The article container: the smallest element holding >= 80 % of the hand-marked text's bigrams, widened to its
    parent while that matches the text better (F1 of bigram sets). None when that is the whole body."""
    g = set(bigrams(gold))
    if len(g) < 50:
        return None
    glen = len(_squash(gold))

    def f1(el) -> tuple[float, float, int]:
        txt = _squash(el.text_content())
        b = {txt[i:i + 2] for i in range(len(txt) - 1)}
        inter = len(g & b)
        return 2 * inter / (len(g) + len(b) or 1), inter / len(g), len(txt)

    best, best_len = None, None
    for el in tree.iter("div", "td", "article", "section", "main", "font", "span", "center", "dd", "li", "form"):
        n = len(_squash(el.text_content()))
        if n < 0.6 * glen or (best_len is not None and n >= best_len):
            continue
        if f1(el)[1] >= 0.8:
            best, best_len = el, n
    if best is None:
        return None
    while best.getparent() is not None and best.getparent().tag not in ("body", "html"):
        if f1(best.getparent())[0] > f1(best)[0] + 0.02:
            best = best.getparent()
        else:
            break
    if best.tag in ("body", "html"):
        return None
    return best


# ---------------------------------------------------------------------------------------------------------------
# markups and boilerplate


def _esc(s: str) -> str:
    return htmlmod.escape(s, quote=False)


def speech_markup(paras: list[str], markup: str, title: str, k: int) -> str:
    if markup == "p":
        return "".join(f"<p>{_esc(p)}</p>" for p in paras)
    if markup == "br":
        sep = "<br>" if k % 2 else "<br><br>\n"
        return sep.join(_esc(p) for p in paras)
    if markup == "div":
        return "".join(f"<div>{_esc(p)}</div>" for p in paras)
    if markup == "indent":
        if k % 2:
            return "".join(f"<p>\u3000\u3000{_esc(p)}</p>" for p in paras)
        return "<br>".join(f"\u3000\u3000{_esc(p)}" for p in paras)
    if markup == "td":
        side = "".join(f'<a href="/a/{k}{i}.html">·{t}</a><br>' for i, t in enumerate(SIDEBAR))
        return (f'<table width="100%" border="0" cellpadding="4"><tr><td width="75%" valign="top">'
                + "<br>".join(_esc(p) for p in paras)
                + f'</td><td width="25%" valign="top"><b>相关文章</b><br>{side}</td></tr></table>')
    if markup == "font":
        return "".join(f'<font size="3" face="宋体">{_esc(p)}</font><br><br>' for p in paras)
    raise ValueError(markup)


# sidebar titles written here (generic 范文 channel titles)
SIDEBAR = ["县长在全县春耕生产工作会议上的讲话", "在全市安全生产工作会议上的讲话", "书记在党风廉政建设会议上的讲话",
           "在全区招商引资推进会上的讲话", "副市长在防汛工作会议上的讲话", "在全县乡村振兴工作会议上的讲话"]


def with_boilerplate(paras: list[str], title: str, variant: str, k: int) -> tuple[list[str], list[str], list[str]]:
    """(paragraphs to put on the page, the gold paragraphs, blocks after the text). Boilerplate is glued inline where
    real sites glue it; the gold is what a reader should keep."""
    shown, gold, after = list(paras), list(paras), []
    n = 4900 + 100 * (k % 7)
    if variant == "leadin":
        shown[0] = f"下面是小编为大家整理的{title},供大家参考。{shown[0]}"
    elif variant == "bgz_header":
        shown[0] = f"(本页约{n}+字) 2025-11-0{1 + k % 8} 07:03:52 {50 + k} {shown[0]}"
    elif variant == "title_twice":
        shown = [title, f"{title} {shown[0]}"] + shown[1:]
    elif variant == "paywall_bgz":
        cut = max(3, len(paras) * 2 // 3)
        shown, gold = paras[:cut], paras[:cut]
        shown[-1] = shown[-1] + " 阅读全文 (想阅读完全部图文内容,您需要先登陆!) 如果喜欢本篇内容,请赞赏鼓励哦! ¥8.88 赏赞 分享: 微信扫"
    elif variant == "docx_share":
        shown = [f"{title}.docx", f"《{title}.docx》由会员分享,可在线阅读,更多相关《{title}.docx(1{k % 9}页珍藏版)》请在淘文阁上搜索。1、{shown[0]}"] + shown[1:]
    elif variant == "xiaobian_tail":
        shown = [f"{title}", shown[0]] + shown[1:] + [f"以上就是小编为大家整理的{title},希望对您有所帮助。"]
    elif variant == "gongwensou":
        shown[0] = f"公文搜 2022-06-1{k % 9} 21:55:42 经济 {shown[0]}"
    elif variant == "editor_note":
        shown[0] = f"编者按:本文为{title},内容较长,供学习交流。具体材料请详见: {shown[0]}"
    elif variant == "xinwenmi_cut":
        cut = max(3, len(paras) // 2)
        shown, gold = paras[:cut], paras[:cut]
        shown[-1] = shown[-1] + f"……(新文秘网省略{800 + k}字,正式会员可完整阅读)"
    elif variant == "watermark_lines":
        shown = []
        for i, p in enumerate(paras):
            shown.append(p)
            if i % 5 == 2:
                shown.append(["更多精彩文章请访问 www.wenmi58.cn", "本文来自网络收集整理,如有侵权请联系删除", "关注公众号,获取更多材料"][i % 3])
    elif variant == "unfinished":
        cut = max(3, len(paras) // 3)
        shown, gold = paras[:cut], paras[:cut]
        shown.append(f"(未完,全文共{n}字,当前显示{sum(len(p) for p in gold)}字)")
        shown.append("(请认真阅读下面的提示信息)")
    elif variant == "source_line":
        shown = [f"来源:网友投稿 编辑:管理员 时间:2024/07/0{1 + k % 8} 19:04:27", shown[0]] + shown[1:]
    return shown, gold, after


# ---------------------------------------------------------------------------------------------------------------
# building the cases


def _real_pages():
    """(key, url, bytes, gold) of the real pages with hand-marked article text (news, government, blogs)."""
    base = SHARED / "bench" / "extraction"
    out = []
    gpath = base / "magic-html" / "article" / "gold_zh.json"
    if gpath.exists():
        for key, v in json.loads(gpath.read_text(encoding="utf-8")).items():
            p = base / "magic-html" / "article" / "htmls" / f"{key}.html"
            if p.exists():
                out.append((f"magic/{key[:12]}", v.get("url") or f"http://example.com/{key}", p.read_bytes(), v["content"]))
    gpath = base / "chinese-web-content-extraction" / "eval" / "cleaned_ground.json"
    if gpath.exists():
        for key, v in json.loads(gpath.read_text(encoding="utf-8")).items():
            p = base / "chinese-web-content-extraction" / "original" / f"{key}.html"
            if p.exists() and v.get("articleBody"):
                out.append((f"cwce/{key[:8]}", f"http://cwce.example/{key}.html", p.read_bytes(), v["articleBody"]))
    return out


def _retitle(tree, title: str) -> None:
    """The page's <title>, og:title and <h1> name the inserted speech (the site's suffix kept)."""
    t = tree.find(".//title")
    if t is not None:
        old = (t.text or "").strip()
        m = re.search(r"\s*([_|｜\-–—]|\s-\s).{1,40}$", old)
        t.text = title + (m.group(0) if m else "")
    for meta in tree.xpath("//meta[@property='og:title']"):
        meta.set("content", title)
    for h in tree.iter("h1"):
        for ch in list(h):
            h.remove(ch)
        h.text = title
        break


def real_chrome_cases(limit: int | None = None) -> list[ZooCase]:
    import lxml.html

    from cleaners.decode import decode_html

    speeches = _speeches()
    if not speeches:
        return []
    cases = []
    pages = _real_pages()
    for idx, (key, url, body, gold_text) in enumerate(pages):
        if limit is not None and len(cases) >= limit:
            break
        enc = _encoding_of(body)
        try:
            tree = lxml.html.document_fromstring(decode_html(body))
        except Exception:
            continue
        box = find_container(tree, gold_text)
        if box is None:
            continue
        h = int(hashlib.sha1(key.encode()).hexdigest(), 16)
        sp = speeches[h % len(speeches)]
        markup = MARKUPS[idx % len(MARKUPS)]
        fam = ["none", "sites", "other"][(idx // len(MARKUPS)) % 3]
        variant = "none"
        shown, gold = sp.paras, sp.paras
        if fam != "none":
            pool = BOILER_SITES if fam == "sites" else BOILER_OTHER
            variant = pool[(h >> 8) % len(pool)]
            shown, gold, _ = with_boilerplate(sp.paras, sp.title, variant, idx)
        if markup == "td" and box.tag == "td":
            markup = "br"  # already a cell: the td markup would nest a table inside it
        frag = speech_markup(shown, markup, sp.title, idx)
        tail = box.tail
        for ch in list(box):
            box.remove(ch)
        box.text = None
        for el in lxml.html.fragments_fromstring(frag) if frag else []:
            if isinstance(el, str):
                box.text = (box.text or "") + el
            else:
                box.append(el)
        box.tail = tail
        _retitle(tree, sp.title)
        out = lxml.html.tostring(tree, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
        cases.append(ZooCase(f"{key} {markup}/{variant}", key, half_of(key), markup, fam, variant, url,
                             out.encode(enc, "xmlcharrefreplace"), "\n".join(gold), sp.title, {"encoding": enc}))
    return cases


_OWN_NAV = ["首页", "领导讲话", "工作总结", "心得体会", "调研报告", "述职报告", "演讲稿", "公文写作"]


def own_table_page(sp, k: int, variant: str) -> tuple[str, str, str]:
    """An old table layout (GB2312): top banner and nav tables, a left sidebar cell of ·title links, the article in
    a <td> with <br> lines, 【打印本文】【关闭窗口】, 上一篇/下一篇, a 文章导读 summary, a footer table. -> (html, gold, url)"""
    shown, gold, _ = with_boilerplate(sp.paras, sp.title, variant, k) if variant != "none" else (sp.paras, sp.paras, [])
    nav = " | ".join(f'<a href="/list/{i}.html">{n}</a>' for i, n in enumerate(_OWN_NAV))
    side = "".join(f'<tr><td height="22">·<a href="/html/{k}{i}.html">{t}</a></td></tr>' for i, t in enumerate(SIDEBAR))
    body_lines = ("<br>\n" if k % 2 else "<br><br>\u3000\u3000").join(_esc(p) for p in shown)
    summary = f"文章导读:{_esc(sp.paras[1][:60])}……" if k % 3 == 0 else ""
    site = ["秘书之家", "公文素材站", "老干部文稿网", "办公文秘网"][k % 4]
    html = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{_esc(sp.title)}-{site}</title></head>
<body topmargin="0"><table width="960" align="center" border="0" cellspacing="0"><tr><td><img src="/images/logo.gif"></td>
<td align="right">设为首页 | 加入收藏 | 联系我们</td></tr></table>
<table width="960" align="center" class="nav"><tr><td>{nav}</td></tr></table>
<table width="960" align="center" border="0"><tr><td width="220" valign="top">
<table width="100%" class="side"><tr><td class="sidetitle"><b>热门文章</b></td></tr>{side}</table></td>
<td width="740" valign="top"><table width="100%"><tr><td align="center" class="title"><b>{_esc(sp.title)}</b></td></tr>
<tr><td align="center">作者:佚名 来源:本站整理 发布时间:2019-0{1 + k % 9}-1{k % 9} 点击数:{100 + k}</td></tr>
<tr><td>{summary}</td></tr>
<tr><td class="content">{body_lines}</td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本文</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
<tr><td>上一篇:<a href="/html/{k - 1}.html">{SIDEBAR[k % 6]}</a><br>下一篇:<a href="/html/{k + 1}.html">{SIDEBAR[(k + 1) % 6]}</a></td></tr>
</table></td></tr></table>
<table width="960" align="center" class="foot"><tr><td align="center">版权所有 {site} 备案号:京ICP备0000000{k}号</td></tr></table>
</body></html>"""
    return html, "\n".join(gold), f"http://www.old-table-{k}.example/html/{1000 + k}.html"


def own_table_cases(n: int = 12) -> list[ZooCase]:
    speeches = _speeches()
    cases = []
    variants = ["none", "leadin", "none", "source_line", "watermark_lines", "none", "title_twice", "editor_note"]
    for k in range(n):
        sp = speeches[(k * 7 + 3) % len(speeches)]
        v = variants[k % len(variants)]
        html, gold, url = own_table_page(sp, k, v)
        fam = "none" if v == "none" else ("sites" if v in BOILER_SITES else "other")
        key = f"own/{k}"
        cases.append(ZooCase(f"{key} table/{v}", key, half_of(key), "table", fam, v, url,
                             html.encode("gb18030", "xmlcharrefreplace"), gold, sp.title, {"encoding": "gb2312"}))
    return cases


def _others():
    return _demo_texts("others", "other")


# multi-post layouts written here: (page opening, one post's markup, page end); a post is {title} {date} {body}
_POST_LAYOUTS = [
    ('<div id="content" class="site-content">',
     '<article class="post type-post hentry"><header class="entry-header"><h2 class="entry-title"><a href="{href}">'
     '{title}</a></h2><div class="entry-meta">发表于 {date} 作者 {author}</div></header><div class="entry-content">'
     '{body}</div><footer class="entry-footer">分类:<a href="/c/1">{cat}</a> | <a href="{href}#respond">发表评论</a>'
     '</footer></article>', '</div>'),
    ('<div class="articalList">',
     '<div class="articleCell"><div class="blog_title_h"><div class="blog_title"><a href="{href}">{title}</a></div>'
     '<span class="time">({date})</span></div><div class="content">{body}</div><div class="tagMore">标签:<a href="/t/1">'
     '{cat}</a> 分类:<a href="/c/2">{cat}</a> 阅读(<span>{n}</span>) 评论(0) 转载 收藏</div></div>', '</div>'),
    ('<table width="760" align="center" class="list">',
     '<tr><td class="post"><table width="100%"><tr><td class="ptitle"><b><a href="{href}">{title}</a></b></td>'
     '<td align="right">{date}</td></tr><tr><td colspan="2" class="pbody">{body}</td></tr><tr><td colspan="2" '
     'align="right">作者:{author} 点击:{n} <a href="{href}">详细</a></td></tr></table></td></tr>', '</table>'),
    ('<ul class="post-list">',
     '<li class="item"><h3><a href="{href}">{title}</a></h3><p class="info">{date} · {author} · {cat}</p>'
     '<div class="summary">{body}</div></li>', '</ul>'),
]


def own_multipost_page(sp, others, k: int) -> tuple[str, str, str]:
    """A blog/column index holding several posts (layouts above), the speech in one of them, not always the first;
    the other posts are other genres' texts written here, full or cut to an excerpt ending in 阅读全文. The page's
    title names the speech (a post page showing its neighbours) or only the blog (an index). -> (html, gold, url)"""
    start, post, end = _POST_LAYOUTS[k % len(_POST_LAYOUTS)]
    n_posts = 3 + k % 4
    at = (k * 5 + 1) % n_posts
    blog = ["老秦的文稿屋", "基层笔记", "耕读斋", "一苇书房"][k % 4]
    posts = []
    for i in range(n_posts):
        if i == at:
            t, paras = sp.title, sp.paras
        else:
            o = others[(k * 11 + i * 7) % len(others)]
            t, paras = o.title, (o.paras if (i + k) % 3 else o.paras[:2] + [f"阅读全文»"])
        body = ("".join(f"<p>{_esc(p)}</p>" for p in paras) if k % 2 else "<br>".join(_esc(p) for p in paras))
        posts.append(post.format(href=f"/post/{k}{i}.html", title=_esc(t), date=f"2023-0{1 + (i + k) % 9}-1{i}",
                                 author=blog[:2], cat=["随笔", "文稿", "学习"][i % 3], n=30 + 7 * i, body=body))
    title = f"{sp.title}_{blog}" if k % 3 else blog
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_esc(title)}</title></head><body>'
            f'<div class="header"><h1 class="site-title"><a href="/">{blog}</a></h1><div class="nav"><a href="/">首页</a>'
            f' <a href="/c/1">随笔</a> <a href="/c/2">文稿</a> <a href="/about">关于</a></div></div>'
            f'{start}{"".join(posts)}{end}<div class="pager"><a href="/page/2">下一页</a> <a href="/page/9">末页</a>'
            f'</div><div class="sidebar"><h3>最新文章</h3><ul>'
            + "".join(f'<li><a href="/post/s{i}.html">{_esc(o.title)}</a></li>' for i, o in enumerate(others[k:k + 6]))
            + f'</ul></div><div class="footer">© 2023 {blog}</div></body></html>')
    return html, "\n".join(sp.paras), f"http://blog{k}.example/{'post/%d.html' % (1000 + k) if k % 3 else 'index.html'}"


def own_multipost_cases(n: int = 16) -> list[ZooCase]:
    speeches, others = _speeches(), _others()
    if not speeches or not others:
        return []
    cases = []
    for k in range(n):
        sp = speeches[(k * 5 + 2) % len(speeches)]
        html, gold, url = own_multipost_page(sp, others, k)
        key = f"posts/{k}"
        cases.append(ZooCase(f"{key} posts/{k % len(_POST_LAYOUTS)}", key, half_of(key), "posts", "none", "none", url,
                             html.encode("utf-8"), gold, sp.title, {"encoding": "utf-8"}))
    return cases


def zoo_cases(limit: int | None = None) -> list[ZooCase]:
    return real_chrome_cases(limit) + own_table_cases() + own_multipost_cases()
