"""Page layouts of the demo sites: one set of render functions per real site layout.

Each layout imitates what a reader of the real site sees (see /work/shared/SITES.md): page chrome (header, nav,
breadcrumbs, sidebars with hot/related lists, ads, footer) around the article container, and the site's in-text
boilerplate (小编 lead-ins, the title repeated, paywall tails, docx page markers, Discuz! forum chrome …).

Public entry points
-------------------
- `wrap_seed_text(site, seed_lines, url)`: a saved seed page (its lines already carry the site's in-text boilerplate)
  put into that site's chrome as paragraphs. Site keys: "1wenmi", "zhuanti", "jianbiao", "caiyes", "sanweiyuan"
  (the other configured layouts work too).
- `render_article(site, *, title, body_lines, url, date, related=…, …)`: a full article page of a site, with the
  site's in-text boilerplate added around `body_lines` (the body as that copy shows it).
- `render_list`, `render_home`, `render_search`, `render_simple`, `render_novel`, and the Discuz! views
  `render_thread`, `render_printable`, `render_archiver`, `render_forumdisplay`, `render_discuz_message` for caiyes.

Every function returns `str`; the caller encodes it in the site's charset (`SKINS[site].charset`). Nothing here
copies seed text: all chrome strings are the short boilerplate phrases SITES.md documents, plus invented filler.
"""
from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Link = tuple  # (href, text) or (href, text, blurb)


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme or 'http'}://{p.netloc}"


@dataclass
class Skin:
    key: str
    site_name: str
    charset: str = "utf-8"
    nav: list[tuple[str, str]] = field(default_factory=list)  # (path, text); paths are host-relative
    slogan: str = ""
    footer: str = ""
    icp: str = ""
    css: str = "/static/css/style.css"


# Default chrome per layout key. The generator passes the real channel links of the demo; these are only used when
# no nav is given (e.g. by wrap_seed_text).
SKINS: dict[str, Skin] = {
    "1wenmi": Skin("1wenmi", "第壹文秘", nav=[("/", "首页"), ("/list/31.html", "党建材料"), ("/list/35.html", "领导讲话"),
                                            ("/list/36.html", "工作总结"), ("/list/40.html", "心得体会"), ("/list/52.html", "行业资料")],
                   slogan="在线文档分享平台", footer="第壹文秘 版权所有 | 用户协议 | 隐私政策 | 网站地图 | 客服中心",
                   icp="ICP备案号(演示站)"),
    "taowenge": Skin("taowenge", "淘文阁", nav=[("/", "首页"), ("/c-35.html", "领导讲话"), ("/c-40.html", "心得体会")],
                     slogan="文档分享下载平台", footer="淘文阁 版权所有 | 联系我们 | 侵权处理", icp="ICP备案号(演示站)"),
    "zhuanti": Skin("zhuanti", "专题范文网", nav=[("/", "首页"), ("/zhuanti/", "专题范文"), ("/gongwen/", "公文范文"),
                                              ("/zuowen/", "作文大全"), ("/shenqing/", "申请书")],
                    slogan="范文 公文 写作参考", footer="本站部分文章来自网络,如有侵权请联系删除。 关于我们 | 联系我们 | 免责声明",
                    icp="ICP备案号(演示站)"),
    "jianbiao": Skin("jianbiao", "简表范文网", nav=[("/", "首页"), ("/zhuantifanwen/", "专题范文"),
                                                ("/zhuantifanwen/gongwenfanwen/", "公文范文"), ("/zuowen/", "作文"),
                                                ("/xindetihui/", "心得体会")],
                     slogan="简表范文网 - 专业的范文参考网站", footer="简表范文网 版权所有 | 网站地图 | 联系方式",
                     icp="ICP备案号(演示站)"),
    "caiyes": Skin("caiyes", "老秘网_材夜思范文", nav=[("/forum.php", "论坛"), ("/forum.php?mod=guide", "导读"),
                                                    ("/home.php?mod=space&do=blog", "日志"), ("/plugin.php?id=dsu_paulsign:sign", "签到")],
                   footer="Powered by Discuz! X3.4 © 2001-2025 Tencent Cloud.", icp="ICP备案号(演示站)"),
    "sanweiyuan": Skin("sanweiyuan", "三味园范文网", nav=[("/", "首页"), ("/news/list_5_1.html", "讲话发言"),
                                                    ("/news/list_8_1.html", "工作总结"), ("/news/list_12_1.html", "作文"),
                                                    ("/news/list_14_1.html", "申请书")],
                       slogan="优质范文 免费参考", footer="三味园范文网 版权所有 | 关于本站 | 联系老师 | 投稿须知", icp="ICP备案号(演示站)"),
    "bgz": Skin("bgz", "笔杆子资料网", nav=[("/", "首页"), ("/index/article/lists/cate_id/3.html", "讲话稿"),
                                         ("/index/article/lists/cate_id/7.html", "心得体会"), ("/index/vip/index.html", "开通会员")],
                slogan="笔杆子资料网 - 写材料就上笔杆子", footer="笔杆子资料网 | 联系客服 | 会员中心 | 常见问题", icp="ICP备案号(演示站)"),
    "lidaojianhua": Skin("lidaojianhua", "公文范文网", nav=[("/", "首页"), ("/article/lidaojianhua/", "领导讲话"),
                                                        ("/article/xindetihui/", "心得体会"), ("/article/zuowen/", "作文")],
                         slogan="原创范文 写作指导", footer="本站文章来源于网友上传,不代表本站观点 | 联系客服老师", icp="ICP备案号(演示站)"),
    "7rdy": Skin("7rdy", "德育素材网", charset="gbk", nav=[("/", "首页"), ("/jianghua/", "讲话发言"), ("/guoqixia/", "国旗下讲话"),
                                         ("/zuowen/", "作文")],
                 slogan="德育素材网提供各类范文写作素材!", footer="德育素材网 版权所有 | 移动端 | 网站地图", icp="ICP备案号(演示站)"),
    "allw": Skin("allw", "笔杆子素材库", nav=[("/", "首页"), ("/jianghua/", "讲话发言")], footer="笔杆子素材库"),
    "wmjy": Skin("wmjy", "文秘家园", charset="gbk", nav=[("/", "首页"), ("/wenmi/", "文秘范文"), ("/wenmi/list_12_1.html", "领导讲话"),
                                                       ("/wenmi/list_20_1.html", "心得体会"), ("/wenmi/list_30_1.html", "学生演讲稿")],
                 slogan="文秘家园 - 文秘人员的网上家园", footer="文秘家园 版权所有 | 以稿换稿 | 加入会员 | 联系站长", icp="ICP备案号(演示站)"),
    "laobiganzi": Skin("laobiganzi", "老笔杆子", nav=[("/", "首页")], slogan="讲话稿 材料 范文", footer="老笔杆子 | 关于我们 | 下载说明 | 联系客服", icp="ICP备案号(演示站)"),
    "yunko": Skin("yunko", "云客文档", nav=[("/", "首页")], footer="云客文档"),
    "wtabcd": Skin("wtabcd", "文档大全", nav=[("/", "首页")], footer="文档大全"),
}


def skin(site: str) -> Skin:
    return SKINS.get(site) or Skin(site, site)


# ---------------------------------------------------------------------------------------------------------------------
# Shell: <head>, header, nav, main column, sidebar, footer
# ---------------------------------------------------------------------------------------------------------------------

def _links(items, cls: str = "", blurbs: bool = False) -> str:
    out = [f'<ul class="{cls}">' if cls else "<ul>"]
    for it in items or []:
        href, text = it[0], it[1]
        if blurbs and len(it) > 2 and it[2]:
            out.append(f'<li><a href="{esc(href)}" target="_blank">{esc(text)}</a><p class="intro">{esc(it[2])}</p></li>')
        else:
            out.append(f'<li><a href="{esc(href)}" title="{esc(text)}" target="_blank">{esc(text)}</a></li>')
    out.append("</ul>")
    return "\n".join(out)


def _nav(site: str, url: str, nav) -> str:
    sk = skin(site)
    base = origin(url)
    items = nav if nav is not None else [(base + p, t) for p, t in sk.nav]
    li = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in items)
    return f'<div class="nav"><div class="w1200"><ul class="navlist">{li}</ul></div></div>'


def shell(site: str, *, title: str, url: str, main: str, nav=None, sidebar: str = "", charset: str | None = None,
          keywords: str = "", description: str = "", extra_head: str = "", body_class: str = "article") -> str:
    """The site's page chrome around `main` (an HTML fragment of the article column)."""
    sk = skin(site)
    cs = charset or sk.charset
    base = origin(url)
    meta_cs = "gb2312" if cs.lower() in ("gbk", "gb2312", "gb18030") else cs
    head = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={meta_cs}" />\n'
        f"<title>{esc(title)}</title>\n"
        f'<meta name="keywords" content="{esc(keywords or title)}" />\n'
        f'<meta name="description" content="{esc(description or title)}" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        f'<link rel="stylesheet" type="text/css" href="{base}{sk.css}" />\n'
        f'<script type="text/javascript" src="{base}/static/js/jquery.min.js"></script>\n'
        f"{extra_head}</head>\n"
    )
    header = (
        f'<body class="{body_class}">\n<div class="topbar"><div class="w1200"><span class="welcome">欢迎来到{esc(sk.site_name)}!</span>'
        f'<span class="top-right"><a href="{base}/member/login.php" rel="nofollow">登录</a> | '
        f'<a href="{base}/member/reg.php" rel="nofollow">注册</a> | <a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a></span></div></div>\n'
        f'<div class="header"><div class="w1200"><div class="logo"><a href="{base}/" title="{esc(sk.site_name)}">{esc(sk.site_name)}</a></div>'
        f'<div class="slogan">{esc(sk.slogan)}</div>'
        f'<div class="search"><form action="{base}/search.php" method="get"><input type="text" name="q" class="kw" placeholder="请输入关键词" />'
        '<input type="submit" value="搜索" /></form></div></div></div>\n'
        + _nav(site, url, nav) + "\n"
    )
    footer = (
        f'<div class="footer"><div class="w1200"><p>{esc(sk.footer)}</p>'
        f'<p>Copyright &copy; 2016-2025 {esc(sk.site_name)} All Rights Reserved. {esc(sk.icp)}</p>'
        f'<p>联系邮箱:<a href="mailto:kefu@example.com">kefu@example.com</a></p></div></div>\n'
        f'<script type="text/javascript">var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); '
        f'hm.src = "{base}/static/js/tongji.js"; }})();</script>\n</body>\n</html>\n'
    )
    side = f'<div class="side fr">{sidebar}</div>' if sidebar else ""
    return head + header + f'<div class="main w1200 clearfix"><div class="left fl">\n{main}\n</div>\n{side}\n</div>\n' + footer


def sidebar(hot=None, related=None, extra: str = "", hot_title: str = "热门文章", rel_title: str = "相关推荐") -> str:
    parts = ['<div class="ad ad-side"><a href="javascript:void(0)" rel="nofollow"><img src="/static/ad/side.gif" alt="广告" /></a></div>']
    if hot:
        parts.append(f'<div class="box hot"><div class="tit"><h3>{esc(hot_title)}</h3></div>{_links(hot, "list")}</div>')
    if related:
        parts.append(f'<div class="box rel"><div class="tit"><h3>{esc(rel_title)}</h3></div>{_links(related, "list")}</div>')
    if extra:
        parts.append(extra)
    return "\n".join(parts)


def paras(lines, indent: str = "") -> str:
    return "\n".join(f"<p>{indent}{esc(l)}</p>" for l in lines)


def crumbs_html(crumbs, prefix: str = "当前位置:", sep: str = " > ", tail: str = "") -> str:
    parts = []
    for c in crumbs or []:
        if isinstance(c, (tuple, list)):
            parts.append(f'<a href="{esc(c[0])}">{esc(c[1])}</a>')
        else:
            parts.append(esc(c))
    return f'<div class="position">{esc(prefix)}{sep.join(parts)}{esc(tail)}</div>'


def pager_html(pages, current: int) -> str:
    """Multi-page article links: 上一页 1 2 3 下一页 (pages = list of hrefs, page 1 first)."""
    if not pages or len(pages) < 2:
        return ""
    out = ['<div class="pagebreak"><ul class="pagelist">', f'<li><a>共{len(pages)}页: </a></li>']
    if current > 1:
        out.append(f'<li><a href="{esc(pages[current - 2])}">上一页</a></li>')
    for i, h in enumerate(pages, 1):
        out.append(f'<li class="thisclass"><a href="#">{i}</a></li>' if i == current else f'<li><a href="{esc(h)}">{i}</a></li>')
    if current < len(pages):
        out.append(f'<li><a href="{esc(pages[current])}">下一页</a></li>')
    out.append("</ul></div>")
    return "".join(out)


def list_pager_html(pages, current: int) -> str:
    """List-page pagination: 首页 上一页 1 2 3 下一页 末页."""
    if not pages or len(pages) < 2:
        return ""
    out = ['<div class="pages"><ul>', f'<li><a href="{esc(pages[0])}">首页</a></li>']
    if current > 1:
        out.append(f'<li><a href="{esc(pages[current - 2])}">上一页</a></li>')
    for i, h in enumerate(pages, 1):
        out.append(f'<li class="thisclass">{i}</li>' if i == current else f'<li><a href="{esc(h)}">{i}</a></li>')
    if current < len(pages):
        out.append(f'<li><a href="{esc(pages[current])}">下一页</a></li>')
    out.append(f'<li><a href="{esc(pages[-1])}">末页</a></li><li><span class="pageinfo">共 <strong>{len(pages)}</strong>页</span></li></ul></div>')
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------------
# Seeds: the lines of a saved page, in the site's chrome
# ---------------------------------------------------------------------------------------------------------------------

def wrap_seed_text(site: str, seed_lines: list[str], url: str) -> str:
    """A seed page's lines (already holding the site's in-text boilerplate) as paragraphs inside the site's chrome.

    The title is the first non-empty line. For caiyes the printable-view page is used (the seed is a print view)."""
    lines = [l.rstrip("\n") for l in seed_lines]
    title = next((l.strip() for l in lines if l.strip()), "")
    if site == "caiyes":
        return _printable_shell(url, title, "<br />\r\n".join(esc(l) for l in lines))
    body = paras([l.strip() for l in lines if l.strip()])
    base = origin(url)
    hot = [(f"{base}/hot/{i}.html", t) for i, t in enumerate(_FILLER_TITLES[:6], 1)]
    main = f'<div class="article-box"><div class="content" id="content">\n{body}\n</div></div>'
    return shell(site, title=f"{title}_{skin(site).site_name}", url=url, main=main, sidebar=sidebar(hot=hot))


# Invented titles for sidebars when the caller gives none.
_FILLER_TITLES = [
    "2024年个人工作总结范文", "党支部书记述职报告", "年度工作计划表", "入党积极分子思想汇报",
    "安全生产月活动方案", "主题教育读书班研讨发言", "乡村振兴调研报告", "述职述廉报告范文",
]


# ---------------------------------------------------------------------------------------------------------------------
# Article pages, one function per site layout
# ---------------------------------------------------------------------------------------------------------------------

@dataclass
class Art:
    """What every layout needs to render one page of an article."""
    site: str
    url: str
    title: str  # page title (the site's heading)
    body_lines: list[str]  # the body as this copy shows it on this page
    date: str = "2023-05-12 09:30:00"
    own_title: str = ""  # the speech's own title, repeated above the body by some sites
    nav: list | None = None
    crumbs: list = field(default_factory=list)  # [(href, text) | text, …] after the site's home crumb
    related: list = field(default_factory=list)  # [(href, title[, blurb])]
    hot: list = field(default_factory=list)  # [(href, title)]
    pages: list[str] = field(default_factory=list)  # all page URLs of a multi-page article
    page_no: int = 1
    truncated: bool = False
    total_chars: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return origin(self.url)

    @property
    def last_page(self) -> bool:
        return not self.pages or self.page_no == len(self.pages)


def render_article(site: str, *, title: str, body_lines: list[str], url: str, date: str = "2023-05-12 09:30:00",
                   related=(), hot=(), nav=None, crumbs=(), own_title: str = "", pages=(), page_no: int = 1,
                   truncated: bool = False, total_chars: int = 0, **extra) -> str:
    """One article page of `site` (layout key = site config name)."""
    art = Art(site=site, url=url, title=title, body_lines=list(body_lines), date=date, own_title=own_title or title,
              nav=nav, crumbs=list(crumbs), related=list(related), hot=list(hot), pages=list(pages), page_no=page_no,
              truncated=truncated, total_chars=total_chars or sum(len(l) for l in body_lines), extra=extra)
    fn = ARTICLE_LAYOUTS.get(site, _article_generic)
    return fn(art)


def _related_box(art: Art, title: str, blurbs: bool = True) -> str:
    if not art.related:
        return ""
    return f'<div class="related"><div class="tit"><h3>{esc(title)}</h3></div>{_links(art.related, "rel-list", blurbs=blurbs)}</div>'


def _article_generic(art: Art) -> str:
    main = (crumbs_html([(art.base + "/", "首页")] + art.crumbs) + f'<h1>{esc(art.title)}</h1><div class="info">{esc(art.date)}</div>'
            f'<div class="content">{paras(art.body_lines)}</div>' + pager_html(art.pages, art.page_no) + _related_box(art, "相关文章"))
    return shell(art.site, title=art.title, url=art.url, main=main, nav=art.nav, sidebar=sidebar(hot=art.hot))


def _article_1wenmi(art: Art) -> str:
    """docx preview: `<title>.docx` heading, 由会员分享 line, preview pages each starting `N、` (body_lines = pages,
    the title glued to page 1 by the caller), then the 配套讲稿/特殊限制/关 键 词 tail."""
    sk = skin(art.site)
    doc = art.title if art.title.endswith(".docx") else art.title + ".docx"
    name = doc[:-5]
    declared = art.extra.get("declared_pages") or len(art.body_lines)
    keywords = art.extra.get("keywords") or []
    pages_html = "\n".join(
        f'<div class="page" id="page{i}"><div class="page-txt"><p>{i}、{esc(t)}</p></div></div>'
        for i, t in enumerate(art.body_lines, 1))
    more = ""
    if declared > len(art.body_lines):
        more = (f'<div class="preview-end"><p>亲,该文档总共{declared}页,到这已经超出免费预览范围,如果喜欢就下载吧!</p>'
                f'<a class="btn-down" href="{art.base}/down/{art.extra.get("doc_id", 0)}.html" rel="nofollow">下载文档</a></div>')
    main = (
        crumbs_html([(art.base + "/", "首页")] + art.crumbs)
        + f'<div class="doc-head"><h1 class="doc-title">{esc(doc)}</h1>'
        f'<div class="doc-info"><span>页数:{declared}</span><span>大小:{20 + declared * 3}.{declared % 10}KB</span>'
        f'<span>格式:DOCX</span><span>下载积分:{5 + declared % 7}</span><span>上传时间:{esc(art.date[:10])}</span></div></div>\n'
        f'<div class="doc-intro"><p>《{esc(doc)}》由会员分享,可在线阅读,更多相关《{esc(name)}.docx({declared}页珍藏版)》请在{esc(sk.site_name)}上搜索。</p></div>\n'
        f'<div class="doc-preview" id="contents">\n{pages_html}\n</div>\n{more}\n'
        '<div class="doc-tips"><ul>'
        '<li><b>- 配套讲稿:</b><p>演示文稿首页带有文档图标的,附有配套讲稿,下载后双击图标即可查看讲稿内容。</p></li>'
        '<li><b>- 特殊限制:</b><p>文档中的图片、标志仅用于展示整体效果,不得用于商业用途;上传者只对其原创部分享有权利。</p></li>'
        f'<li><b>- 关 键 词:</b><p>- {esc(" ".join(keywords))}</p></li></ul></div>\n'
        + _related_box(art, "相关资源", blurbs=False)
    )
    return shell(art.site, title=f"{doc}-{sk.site_name}", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=art.hot, hot_title="猜你喜欢", rel_title="最新文档"))


def _lead_in(title: str) -> str:
    return f"下面是小编为大家整理的{title},供大家参考。"


def _article_zhuanti(art: Art) -> str:
    """专题范文 CMS: breadcrumb 位置:, h1, date/byline, 小编 lead-in, title again, own title, body, 推荐访问 tags, 猜你喜欢."""
    first = art.page_no == 1
    tags = art.extra.get("tags") or []
    top = (f'<div class="position">位置: <a href="{art.base}/">首页</a> &gt;<a href="{art.base}/zhuanti/">专题范文</a> &gt; '
           f'<a href="{art.base}/gongwen/">公文范文</a> &gt; 文章内容</div>\n'
           f'<div class="title"><h1>{esc(art.title)}</h1></div>\n'
           f'<div class="info"><span>{esc(art.date)}</span> <span>投稿作者:网友投稿</span> <span>点击:<script src="{art.base}/plus/count.php?view=yes&amp;aid={art.extra.get("aid", 0)}"></script></span></div>\n')
    body = ""
    if first:
        body += f"<p>{esc(_lead_in(art.title))}</p>\n<p><strong>{esc(art.title)}</strong></p>\n"
        if art.own_title and art.own_title != art.title:
            body += f'<p style="text-align:center"><strong>{esc(art.own_title)}</strong></p>\n'
        body += "<p>&nbsp;</p>\n"
    body += paras(art.body_lines)
    tail = ""
    if art.last_page:
        tag_links = " ".join(f'<a href="{art.base}/tags/{abs(hash_str(t)) % 9000 + 1000}.html">{esc(t)}</a>' for t in tags)
        tail = f'<div class="tags">推荐访问:{tag_links}</div>\n'
    main = (top + f'<div class="content" id="article">\n{body}\n</div>\n' + pager_html(art.pages, art.page_no) + tail
            + (_related_box(art, "猜你喜欢") if art.last_page else ""))
    return shell(art.site, title=f"{art.title}-专题范文", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=art.hot, hot_title="热门专题"))


def _article_jianbiao(art: Art) -> str:
    """简表范文网: breadcrumb, h1, | 来源:网友投稿, 小编 lead-in, title again, PDF-broken body ending '...', 相关推荐, 热门文章."""
    body = f"<p>{esc(_lead_in(art.title))}</p>\n<p>{esc(art.title)}</p>\n<p>&nbsp;</p>\n"
    if art.own_title and art.own_title != art.title:
        body += f"<p>  {esc(art.own_title)}</p>\n"
    lines = list(art.body_lines)
    if art.truncated and lines:
        lines[-1] = lines[-1] + "..."
    body += "\n".join(f"<p> {esc(l)}</p>" for l in lines)
    hot_box = ""
    if art.hot:
        hot_box = f'<div class="hotlist"><div class="tit"><h3>热门文章</h3></div>{_links(art.hot, "rel-list", blurbs=True)}</div>'
    main = (f'<div class="position">当前位置: <a href="{art.base}/">简表范文网</a> &gt; <a href="{art.base}/zhuantifanwen/">专题范文</a> &gt; '
            f'<a href="{art.base}/zhuantifanwen/gongwenfanwen/">公文范文</a> &gt;</div>\n'
            f'<div class="article-title"><h1>{esc(art.title)}</h1><div class="article-info">{esc(art.date[:10])} | 来源:网友投稿</div></div>\n'
            f'<div class="article-content" id="article-content">\n{body}\n</div>\n'
            + _related_box(art, "相关推荐") + hot_box)
    return shell(art.site, title=f"{art.title}-简表范文网", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=[(h[0], h[1]) for h in art.hot[:5]], hot_title="最新更新"))


def _article_sanweiyuan(art: Art) -> str:
    """三味园: site name + date line, h1, body; tail 由互联网用户分享整理。文章地址: or the 预览结束 paywall."""
    canon = art.extra.get("canonical") or art.url
    lines = paras(art.body_lines)
    tail = ""
    if art.last_page:
        if art.truncated:
            summary = art.extra.get("summary", "")
            tail = (f'<div class="yulan"><p>预览结束,免费获取全文或定制代笔此类文章!请扫码添加微信,联系老师</p>'
                    f'<p><img src="{art.base}/static/img/wx.png" alt="联系老师" /></p></div>\n'
                    f'<div class="lanmu"><p>《{esc(art.title)}》所在栏目:<a href="{art.base}/news/list_5_1.html">优质范文</a> &gt; 内容摘要:{esc(summary)}</p></div>')
        else:
            tail = f'<p class="from">《{esc(art.title)}》由互联网用户分享整理。文章地址:{esc(canon)}</p>'
    main = (crumbs_html([(art.base + "/", "三味园范文网")] + art.crumbs, prefix="您的位置:")
            + f'<div class="art-title"><h1>{esc(art.title)}</h1><div class="art-info">三味园范文网 {esc(art.date[:10])}</div></div>\n'
            f'<div class="art-content" id="content">\n{lines}\n</div>\n{pager_html(art.pages, art.page_no)}\n{tail}\n'
            + (_related_box(art, "相关范文") if art.last_page else ""))
    return shell(art.site, title=f"{art.title}_三味园范文网", url=art.url, main=main, nav=art.nav, sidebar=sidebar(hot=art.hot))


def _article_bgz(art: Art) -> str:
    """笔杆子资料网: title (本页约N+字), date + views, 文章导读, 联系客服提示, title again, body, 阅读全文 paywall."""
    chars = art.total_chars
    approx = max(100, chars // 100 * 100)
    views = art.extra.get("views", 1234)
    lines = paras(art.body_lines)
    tail = ""
    if art.truncated:
        tail = ('<div class="readmore"><a href="javascript:void(0)" class="btn-read">阅读全文</a> <span>(想阅读完全部图文内容,您需要先登陆!)</span></div>\n'
                '<div class="reward"><p>如果喜欢本篇内容,请赞赏鼓励哦!</p><p class="price">¥8.88</p>'
                '<a href="javascript:void(0)">赏赞</a> <span class="share">分享: 微信扫一扫</span></div>')
    main = (f'<div class="detail-head"><h1>{esc(art.title)} <small>(本页约{approx}+字)</small></h1>'
            f'<div class="meta"><span>{esc(art.date)}</span> <span class="views">{views}</span></div></div>\n'
            f'<div class="daodu"><b>文章导读</b><p>{esc(art.extra.get("summary", ""))}</p></div>\n'
            f'<div class="kefu"><a href="{art.base}/index/kefu/index.html" rel="nofollow">联系客服提示-{esc(skin(art.site).site_name)}</a></div>\n'
            f'<div class="detail-content"><h2>{esc(art.own_title)}</h2>\n{lines}\n</div>\n{tail}\n' + _related_box(art, "相关文章"))
    return shell(art.site, title=f"{art.title}-{skin(art.site).site_name}", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=art.hot, hot_title="热门资料"))


def _article_lidaojianhua(art: Art) -> str:
    """lidaojianhua CMS: h1, 时间:, 导语/前言 boilerplate, body, pager."""
    lead = ""
    if art.page_no == 1:
        if art.extra.get("lead_kind", 0) == 0:
            lead = f"<p class=\"daoyu\">导语:{esc(art.title)}一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。</p>"
        else:
            lead = (f"<p class=\"daoyu\">前言:本站为你精心整理了{esc(art.title)}范文,希望能为你的创作提供参考价值,"
                    "我们的客服老师可以帮助你提供个性化的参考范文,欢迎咨询。</p>")
    main = (crumbs_html([(art.base + "/", "首页")] + art.crumbs)
            + f'<div class="arc-title"><h1>{esc(art.title)}</h1><p class="time">时间:{esc(art.date)}</p></div>\n{lead}\n'
            f'<div class="arc-body" id="arc-body">\n{paras(art.body_lines)}\n</div>\n{pager_html(art.pages, art.page_no)}\n'
            + _related_box(art, "相关范文推荐", blurbs=True))
    return shell(art.site, title=f"{art.title}-{skin(art.site).site_name}", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=art.hot, hot_title="精选范文"))


def _article_7rdy(art: Art) -> str:
    """德育素材网: slogan, 当前位置:德育素材网 > 讲话发言 > title, MM-DD | 移动端:title, U+3000-indented paragraphs."""
    main = (f'<div class="tip">德育素材网提供各类范文写作素材!</div>\n'
            f'<div class="position">当前位置:<a href="{art.base}/">德育素材网</a> &gt; <a href="{art.base}/jianghua/">讲话发言</a> &gt; {esc(art.title)}</div>\n'
            f'<h1>{esc(art.title)}</h1><div class="info">{esc(art.date[5:10])} | 移动端:<a href="{esc(art.extra.get("mobile", art.url))}">{esc(art.title)}</a></div>\n'
            f'<div class="content">\n{paras(art.body_lines, indent="　　")}\n</div>\n{pager_html(art.pages, art.page_no)}\n'
            + _related_box(art, "相关阅读", blurbs=False))
    return shell(art.site, title=f"{art.title}_德育素材网", url=art.url, main=main, nav=art.nav, sidebar=sidebar(hot=art.hot))


def _article_wmjy(art: Art) -> str:
    """文秘家园 (GBK): 当前位置:文秘家园>> …, 【以稿换稿】 byline, 【文章共N字…】, body, 用户评论."""
    comments = art.extra.get("comments") or []
    cm = "".join(f'<li><span class="u">{esc(u)}</span> 发表于 {esc(d)}<p>{esc(c)}</p></li>' for u, d, c in comments)
    main = (f'<div class="position">当前位置:<a href="{art.base}/">文秘家园</a>&gt;&gt; <a href="{art.base}/wenmi/">文秘范文</a>&gt;&gt; '
            f'<a href="{art.base}/wenmi/list_12_1.html">领导讲话</a>&gt;&gt; 经济发改</div>\n'
            f'<h1 class="title">{esc(art.title)}</h1>\n'
            f'<div class="info">【<a href="{art.base}/member/article_add.php" rel="nofollow">以稿换稿</a>】【<a href="{art.base}/plus/stow.php?aid={art.extra.get("aid", 0)}">收藏</a>】'
            f' 作者: 佚名 来源: 作者原创 阅读 次 【小 中 大】【<a href="{art.base}/member/reg_new.php">加入会员</a>】</div>\n'
            f'<div class="zishu">【文章共{art.total_chars}字,精选参考范文,仅供学习借鉴】</div>\n'
            f'<div class="content" id="content">\n{paras(art.body_lines)}\n</div>\n'
            f'<div class="print"><a href="{art.base}/plus/view.php?aid={art.extra.get("aid", 0)}&amp;pageno=all">打印本文</a></div>\n'
            + _related_box(art, "相关文章", blurbs=False)
            + f'<div class="comments"><h3>用户评论</h3><ul>{cm}</ul><p>(评论内容只代表网友观点,与本站立场无关!)</p></div>')
    return shell(art.site, title=f"{art.title}_文秘家园", url=art.url, main=main, nav=art.nav, sidebar=sidebar(hot=art.hot))


def _article_laobiganzi(art: Art) -> str:
    """laobiganzi.top (a WordPress theme): h1, the title again in the text (sometimes), body, 全文约N字 paywall."""
    full = art.extra.get("full_chars") or art.total_chars
    tail = ""
    if art.truncated:
        if art.extra.get("tail_kind", 0) == 0:
            tail = (f'<p class="tip">全文约{full}字,请下载后阅读、编辑。</p>'
                    f'<div class="pay"><p>(阅读全部图文内容,您需要先登录!)</p><a href="{art.base}/wp-login.php" rel="nofollow">登录</a></div>')
        else:
            tail = f'<p class="tip">(未完,全文共{full}字,当前显示{art.total_chars}字)</p>'
    again = f"<p><strong>{esc(art.own_title)}</strong></p>" if art.extra.get("title_twice") else ""
    main = (f'<article class="post"><header class="entry-header"><h1 class="entry-title">{esc(art.title)}</h1>'
            f'<div class="entry-meta"><span class="posted-on"><time datetime="{esc(art.date[:10])}">{esc(art.date[:10])}</time></span>'
            f' <span class="cat-links"><a href="{art.base}/category/jianghua/" rel="category tag">讲话稿</a></span></div></header>\n'
            f'<div class="entry-content">{again}\n{paras(art.body_lines)}\n{tail}</div></article>\n'
            + _related_box(art, "相关文章", blurbs=False))
    return shell(art.site, title=f"{art.title} - 老笔杆子", url=art.url, main=main, nav=art.nav,
                 sidebar=sidebar(hot=art.hot, hot_title="近期文章"))


ARTICLE_LAYOUTS = {
    "1wenmi": _article_1wenmi,
    "taowenge": _article_1wenmi,
    "zhuanti": _article_zhuanti,
    "jianbiao": _article_jianbiao,
    "sanweiyuan": _article_sanweiyuan,
    "bgz": _article_bgz,
    "lidaojianhua": _article_lidaojianhua,
    "7rdy": _article_7rdy,
    "wmjy": _article_wmjy,
    "laobiganzi": _article_laobiganzi,
}


# ---------------------------------------------------------------------------------------------------------------------
# Home, list, search pages
# ---------------------------------------------------------------------------------------------------------------------

def render_list(site: str, *, url: str, channel: str, items, pages=(), page_no: int = 1, nav=None, hot=(), subnav=()) -> str:
    """A channel (list) page: items = [(href, title, blurb, date)]; subnav = the site's sub-channels [(href, name)]."""
    lis = []
    for it in items:
        href, t = it[0], it[1]
        blurb = it[2] if len(it) > 2 else ""
        date = it[3] if len(it) > 3 else ""
        lis.append(f'<li><h3><a href="{esc(href)}" title="{esc(t)}">{esc(t)}</a></h3>'
                   + (f'<p class="intro">{esc(blurb)}</p>' if blurb else "") + (f'<span class="date">{esc(date)}</span>' if date else "") + "</li>")
    base = origin(url)
    main = (crumbs_html([(base + "/", "首页"), channel]) + f'<div class="list-box"><div class="tit"><h2>{esc(channel)}</h2></div>'
            f'<ul class="list">{"".join(lis)}</ul></div>' + list_pager_html(list(pages), page_no))
    extra = f'<div class="box subnav"><div class="tit"><h3>栏目导航</h3></div>{_links(list(subnav), "list")}</div>' if subnav else ""
    return shell(site, title=f"{channel}_{skin(site).site_name}", url=url, main=main, nav=nav,
                 sidebar=sidebar(hot=list(hot), extra=extra), body_class="list")


def render_home(site: str, *, url: str, channels, nav=None, latest=(), hot=(), friends=()) -> str:
    """Home page: channel boxes [(href, name, [(href, title)])], latest list, friend links (may include odd URLs)."""
    boxes = []
    for href, name, items in channels:
        boxes.append(f'<div class="box chan"><div class="tit"><h3><a href="{esc(href)}">{esc(name)}</a></h3>'
                     f'<a class="more" href="{esc(href)}">更多&gt;&gt;</a></div>{_links(items, "list")}</div>')
    fl = "".join(f'<a href="{esc(h)}" target="_blank">{esc(t)}</a> ' for h, t in friends)
    main = (f'<div class="latest"><div class="tit"><h2>最新更新</h2></div>{_links(list(latest), "list")}</div>\n' + "\n".join(boxes)
            + f'<div class="friend-links"><b>友情链接:</b>{fl}</div>')
    sk = skin(site)
    return shell(site, title=f"{sk.site_name} - {sk.slogan or '范文大全'}", url=url, main=main, nav=nav,
                 sidebar=sidebar(hot=list(hot)), body_class="home")


def render_search(site: str, *, url: str, query: str, results, nav=None) -> str:
    """Site search results: [(href, title, blurb)]."""
    lis = "".join(f'<li><h3><a href="{esc(r[0])}">{esc(r[1])}</a></h3><p>{esc(r[2] if len(r) > 2 else "")}</p></li>' for r in results)
    main = (f'<div class="search-head">搜索"{esc(query)}"共找到 {len(results)} 条结果</div>'
            f'<ul class="search-list">{lis}</ul>' + ("" if results else "<p>没有找到相关内容,请更换关键词。</p>"))
    return shell(site, title=f"{query} - 搜索结果 - {skin(site).site_name}", url=url, main=main, nav=nav, body_class="search")


def render_simple(site: str, *, url: str, title: str, lines, nav=None) -> str:
    """Any other page (login form, print view, ad page, novel chapter …)."""
    main = f'<h1>{esc(title)}</h1><div class="content">{paras(lines)}</div>'
    return shell(site, title=f"{title}_{skin(site).site_name}", url=url, main=main, nav=nav)


def render_novel(site: str, *, url: str, book: str, chapter: str, lines, prev: str | None, next_: str | None, toc: str,
                 nav=None) -> str:
    """A web-novel chapter (官场小说), as 范文 sites host under /book/N/N_N.html."""
    turn = (f'<div class="bottem"><a href="{esc(prev)}">上一章</a> ' if prev else '<div class="bottem">') + \
        f'<a href="{esc(toc)}">章节目录</a>' + (f' <a href="{esc(next_)}">下一章</a>' if next_ else "") + "</div>"
    main = (f'<div class="bookname"><h1>{esc(chapter)}</h1>{turn}</div><div id="content">'
            + "<br /><br />".join("&nbsp;&nbsp;&nbsp;&nbsp;" + esc(l) for l in lines) + f"</div>{turn}")
    return shell(site, title=f"{chapter}_{book}_小说阅读", url=url, main=main, nav=nav, body_class="book")


# ---------------------------------------------------------------------------------------------------------------------
# Discuz! X3.4 (caiyes / 老秘网)
# ---------------------------------------------------------------------------------------------------------------------

def _discuz_head(title: str, url: str, charset: str = "utf-8") -> str:
    base = origin(url)
    return ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
            "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f"<title>{esc(title)}</title>\n"
            '<meta name="generator" content="Discuz! X3.4" />\n<meta name="author" content="Discuz! Team and Comsenz UI Team" />\n'
            '<meta name="copyright" content="2001-2021 Tencent Cloud." />\n<meta name="MSSmartTagsPreventParsing" content="True" />\n'
            f'<base href="{base}/" /><link rel="stylesheet" type="text/css" href="data/cache/style_1_common.css?v3x" />\n'
            '<script type="text/javascript">var STYLEID = \'1\', STATICURL = \'static/\', IMGDIR = \'static/image/common\', '
            "VERHASH = 'v3x', charset = 'utf-8', discuz_uid = '0', cookiepre = 'Cdnx_2132_';</script>\n"
            '<script src="data/cache/common.js?v3x" type="text/javascript"></script>\n</head>\n')


def _discuz_header(url: str) -> str:
    base = origin(url)
    return (f'<body id="nv_forum" class="pg_viewthread" onkeydown="if(event.keyCode==27) return false;">\n'
            f'<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="javascript:;" onclick="setHomepage(\'{base}/\');">设为首页</a>'
            f'<a href="{base}/" onclick="addFavorite(this.href, \'老秘网_材夜思范文\');return false;">收藏本站</a></div></div></div>\n'
            f'<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="{base}/forum.php" title="老秘网_材夜思范文">'
            f'<img src="static/image/common/logo.png" alt="老秘网_材夜思范文" border="0" /></a></h2>'
            f'<div id="um"><p><a href="{base}/member.php?mod=logging&amp;action=login">登录</a> '
            f'<a href="{base}/member.php?mod=register">立即注册</a></p></div></div>\n'
            f'<div id="nv"><ul><li class="a" id="mn_forum"><a href="{base}/forum.php" hidefocus="true">论坛<span>BBS</span></a></li>'
            f'<li id="mn_N12a7"><a href="{base}/forum.php?mod=guide&amp;view=hot" hidefocus="true">导读</a></li>'
            f'<li><a href="{base}/home.php?mod=space&amp;do=blog" hidefocus="true">日志</a></li>'
            f'<li><a href="{base}/plugin.php?id=dsu_paulsign:sign" hidefocus="true">签到</a></li></ul></div>\n'
            f'<div id="scbar" class="cl"><form id="scbar_form" method="post" action="{base}/search.php?searchsubmit=yes">'
            '<input type="text" name="srchtxt" id="scbar_txt" value="请输入搜索内容" autocomplete="off" />'
            '<button type="submit" name="searchsubmit" id="scbar_btn" value="true">搜索</button></form></div></div></div>\n')


def _discuz_footer(url: str) -> str:
    base = origin(url)
    return (f'<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="{base}/archiver/">Archiver</a><span class="pipe">|</span>'
            f'<a href="{base}/forum.php?mobile=yes">手机版</a><span class="pipe">|</span><a href="{base}/forum.php?mod=misc&amp;action=showdarkroom">小黑屋</a>'
            f'<span class="pipe">|</span><strong><a href="{base}/" target="_blank">老秘网_材夜思范文</a></strong></p>'
            f'<p class="xs0">GMT+8, 2025-7-21 09:12<span id="debuginfo">, Processed in 0.061322 second(s), 22 queries .</span></p></div>'
            '<div id="frt"><p>Powered by <strong><a href="http://www.discuz.net" target="_blank">Discuz!</a></strong> <em>X3.4</em></p>'
            '<p class="xs0">&copy; 2001-2021 <a href="http://www.comsenz.com" target="_blank">Tencent Cloud</a>.</p></div></div>\n'
            '<script src="static/js/home.js?v3x" type="text/javascript"></script>\n</body>\n</html>\n')


@dataclass
class Post:
    pid: int
    author: str
    date: str  # "2025-7-20 14:58"
    lines: list[str]  # message lines (may hold watermarks and ASCII noise lines)
    floor: int = 1


def _post_html(p: Post, tid: int, base: str, first: bool) -> str:
    msg = "<br />\r\n".join(esc(l) for l in p.lines)
    floor = "楼主" if p.floor == 1 else (f"{p.floor}<sup>#</sup>")
    op_tools = (f'<span class="pipe">|</span><a href="{base}/forum.php?mod=viewthread&amp;tid={tid}&amp;page=1&amp;authorid=1" rel="nofollow">只看该作者</a>'
                if first else "")
    return (
        f'<div id="post_{p.pid}"><table id="pid{p.pid}" class="plhin" summary="pid{p.pid}" cellspacing="0" cellpadding="0"><tr>\n'
        f'<td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="{base}/home.php?mod=space&amp;uid={p.pid % 97 + 3}" '
        f'target="_blank" class="xw1">{esc(p.author)}</a></div></div>'
        f'<div class="avatar"><a href="{base}/home.php?mod=space&amp;uid={p.pid % 97 + 3}" class="avtm" target="_blank">'
        f'<img src="uc_server/avatar.php?uid={p.pid % 97 + 3}&amp;size=middle" /></a></div></td>\n'
        f'<td class="plc"><div class="pi"><strong><a href="{base}/forum.php?mod=redirect&amp;goto=findpost&amp;ptid={tid}&amp;pid={p.pid}" '
        f'id="postnum{p.pid}">{floor}</a></strong>'
        f'<div class="pti"><div class="authi"><img class="authicn vm" src="static/image/common/online_member.gif" />'
        f'<em id="authorposton{p.pid}">发表于 {esc(p.date)}</em><span class="pipe">|</span>'
        f'<a href="{base}/forum.php?mod=viewthread&amp;tid={tid}&amp;page=1#pid{p.pid}" rel="nofollow">显示全部楼层</a>{op_tools}</div></div></div>\n'
        f'<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>'
        f'<td class="t_f" id="postmessage_{p.pid}">\r\n{msg}</td></tr></table></div></div></div></td></tr>\n'
        f'<tr><td class="plc plm"><div class="po hin"><div class="pob cl"><em><a class="fastre" href="{base}/forum.php?mod=post&amp;action=reply&amp;fid=2&amp;tid={tid}&amp;repquote={p.pid}">回复</a></em>'
        f'</div></div></td></tr></table></div>\n')


def render_thread(*, url: str, tid: int, fid: int, forum: str, subject: str, posts: list[Post], page_no: int = 1,
                  pages: int = 1, views: int = 1000, replies: int = 0, related=(), charset: str = "utf-8") -> str:
    """Discuz! X3.4 viewthread page (thread-N-P-1.html or forum.php?mod=viewthread&tid=N)."""
    base = origin(url)
    pg = ""
    if pages > 1:
        links = "".join(f'<strong>{i}</strong>' if i == page_no else f'<a href="{base}/thread-{tid}-{i}-1.html">{i}</a>'
                        for i in range(1, pages + 1))
        nxt = f'<a href="{base}/thread-{tid}-{page_no + 1}-1.html" class="nxt">下一页</a>' if page_no < pages else ""
        pg = f'<div class="pg">{links}<label><input type="text" name="custompage" class="px" size="2" value="{page_no}" /><span title="共 {pages} 页"> / {pages} 页</span></label>{nxt}</div>'
    head = (
        f'<div id="pt" class="bm cl"><div class="z"><a href="{base}/" class="nvhm" title="首页">老秘网_材夜思范文</a> <em>&rsaquo;</em> '
        f'<a href="{base}/forum.php">论坛</a> <em>&rsaquo;</em> <a href="{base}/forum-{fid}-1.html">{esc(forum)}</a> <em>&rsaquo;</em> '
        f'<a href="{base}/thread-{tid}-1-1.html">{esc(subject)}</a></div></div>\n'
        f'<div id="ct" class="wp cl"><div id="pgt" class="pgs mbm cl">{pg}'
        f'<span class="pgb y"><a href="{base}/forum-{fid}-1.html">返回列表</a></span></div>\n'
        f'<div id="postlist" class="pl bm"><table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn">'
        f'<div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{views}</span><span class="pipe">|</span>'
        f'<span class="xg1">回复:</span> <span class="xi1">{replies}</span></div></td>'
        f'<td class="plc ptm pbn vwthd"><div class="y"><a href="{base}/forum.php?mod=viewthread&amp;action=printable&amp;tid={tid}" '
        f'title="打印" target="_blank"><img src="static/image/common/print.png" alt="打印" class="vm" /></a>'
        f'<a href="{base}/forum.php?mod=redirect&amp;goto=nextoldset&amp;tid={tid}" title="上一主题"><img src="static/image/common/thread-prev.png" alt="上一主题" class="vm" /></a>'
        f'<a href="{base}/forum.php?mod=redirect&amp;goto=nextnewset&amp;tid={tid}" title="下一主题"><img src="static/image/common/thread-next.png" alt="下一主题" class="vm" /></a></div>'
        f'<h1 class="ts"><span id="thread_subject">{esc(subject)}</span></h1>'
        f'<span class="xg1"><a href="{base}/thread-{tid}-1-1.html" onclick="return copyThreadUrl(this, \'老秘网_材夜思范文\')" >[复制链接]</a></span>'
        '<a class="y" href="javascript:;" onclick="readmode(\'thread_subject\', 0);">阅读模式</a>'
        '</td></tr></table>\n')
    body = "".join(_post_html(p, tid, base, first=(p.floor == 1)) for p in posts)
    rel = ""
    if related:
        rel = ('<div class="mtw mbw"><h3 class="pbm mbm bbda">相关帖子</h3><ul class="xl xl2 cl">'
               + "".join(f'<li>&#8226; <a href="{esc(h)}" title="{esc(t)}" target="_blank">{esc(t)}</a></li>' for h, t, *_ in related)
               + "</ul></div>")
    tail = (f'</div>\n<div class="pgs mtm mbm cl">{pg}<span class="pgb y"><a href="{base}/forum-{fid}-1.html">返回列表</a></span></div>\n{rel}'
            f'<div id="f_pst" class="pl bm bmw"><div class="pbt cl">您需要登录后才可以回帖 '
            f'<a href="{base}/member.php?mod=logging&amp;action=login" onclick="showWindow(\'login\', this.href)" class="xi2">登录</a> | '
            f'<a href="{base}/member.php?mod=register" class="xi2">立即注册</a></div></div></div>\n')
    title = f"{subject} - {forum} - 老秘网_材夜思范文 - Powered by Discuz!"
    return _discuz_head(title, url, charset) + _discuz_header(url) + '<div id="wp" class="wp">\n' + head + body + tail + "</div>\n" + _discuz_footer(url)


def _printable_shell(url: str, subject: str, inner: str, charset: str = "utf-8") -> str:
    base = origin(url)
    return (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f'<title>老秘网_材夜思范文 - Powered by Discuz!</title>\n'
            '<style type="text/css">body,table { font-size: 12px; font-family: Tahoma, Verdana; } .title {font-size: 14px; font-weight: bold;}</style>\n'
            f'</head>\n<body>\n{inner}\n</body>\n</html>\n')


def render_printable(*, url: str, tid: int, subject: str, posts: list[Post], charset: str = "utf-8") -> str:
    """forum.php?mod=viewthread&action=printable&tid=N: every post of the thread on one page."""
    base = origin(url)
    parts = [f'<h1>老秘网_材夜思范文</h1>\n<b>标题: </b>{esc(subject)} <a href="###" onclick="this.style.visibility=\'hidden\';window.print();this.style.visibility=\'visible\'">[打印本页]</a><hr noshade size="2" width="100%" color="#808080" />\n']
    for p in posts:
        parts.append(f'<b>作者: </b>{esc(p.author)}&nbsp; &nbsp; <b>时间: </b>{esc(p.date)}<br />\n')
        if p.floor == 1:
            parts.append(f"<b>标题: </b>{esc(subject)}<br />\n")
        parts.append("<br />\r\n".join(esc(l) for l in p.lines) + '\n<hr noshade size="2" width="100%" color="#808080" />\n')
    parts.append(f'<br /><br /><br /><br /><hr noshade size="2" width="100%" color="#808080" />\n'
                 f'<table cellspacing="0" cellpadding="0" border="0" width="95%" align="center" style="font-size: 11px"><tr><td>'
                 f'欢迎光临 老秘网_材夜思范文 (<a href="{base}/">{base}/</a>)</td><td align="right">Powered by Discuz! X3.4</td></tr></table>')
    return _printable_shell(url, subject, "".join(parts), charset)


def render_archiver(*, url: str, tid: int, fid: int, forum: str, subject: str, posts: list[Post], charset: str = "utf-8") -> str:
    """archiver/tid-N.html: the lightweight text view search engines see."""
    base = origin(url)
    body = "".join(f'<p class="author"><strong>{esc(p.author)}</strong> 发表于 {esc(p.date)}</p><div>'
                   + "<br />\r\n".join(esc(l) for l in p.lines) + "</div>" for p in posts)
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f'<title>{esc(subject)} - 老秘网_材夜思范文 - Powered by Discuz! Archiver</title>\n'
            f'<meta name="keywords" content="{esc(subject)}" /><link rel="stylesheet" type="text/css" href="{base}/static/image/common/archiver.css" /></head>\n'
            f'<body><div id="nav"><a href="{base}/archiver/">老秘网_材夜思范文</a> &rsaquo; <a href="{base}/archiver/fid-{fid}.html">{esc(forum)}</a> &rsaquo; {esc(subject)}</div>\n'
            f'<div id="content"><h3>{esc(subject)}</h3>{body}</div>\n'
            f'<div id="end"> 查看完整版本: <a href="{base}/forum.php?mod=viewthread&amp;tid={tid}" target="_blank"><strong>{esc(subject)}</strong></a></div>\n'
            f'<div id="footer">Copyright &copy; 2001-2021 <a href="http://www.comsenz.com" target="_blank">Tencent Cloud</a>.<br />'
            f'<br />Powered by Discuz! Archiver</div></body></html>\n')


def render_discuz_message(*, url: str, title: str, lines, charset: str = "utf-8") -> str:
    """A Discuz! 提示信息 page (login required, no newer thread …)."""
    base = origin(url)
    msg = "".join(f"<p>{esc(l)}</p>" for l in lines)
    main = (f'<div id="ct" class="wp cw f_str cl"><div class="nfl"><div class="f_c altw"><div id="messagetext" class="alert_info">'
            f'{msg}<p class="alert_btnleft"><a href="{base}/forum.php">如果您的浏览器没有自动跳转,请点击此链接</a></p></div></div></div></div>')
    return _discuz_head(f"{title} - 老秘网_材夜思范文 - Powered by Discuz!", url, charset) + _discuz_header(url) + main + _discuz_footer(url)


def render_archiver_list(*, url: str, fid: int, forum: str, threads, charset: str = "utf-8") -> str:
    base = origin(url)
    lis = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in threads)
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f'<title>{esc(forum)} - 老秘网_材夜思范文 - Powered by Discuz! Archiver</title></head>\n'
            f'<body><div id="nav"><a href="{base}/archiver/">老秘网_材夜思范文</a> &rsaquo; {esc(forum)}</div>'
            f'<div id="content"><ul>{lis}</ul></div><div id="footer">Powered by Discuz! Archiver</div></body></html>\n')


def render_forumdisplay(*, url: str, fid: int, forum: str, threads, page_no: int = 1, pages: int = 1, forums=(),
                        charset: str = "utf-8", friends=()) -> str:
    """forum-FID-P.html: thread list. threads = [(href, subject, author, date, replies, views)]."""
    base = origin(url)
    rows = "".join(
        f'<tbody id="normalthread_{i}"><tr><td class="icn"><a href="{esc(h)}" title="新窗口打开" target="_blank">'
        f'<img src="static/image/common/folder_common.gif" /></a></td><th class="common"><a href="{esc(h)}" class="s xst">{esc(s)}</a></th>'
        f'<td class="by"><cite><a href="{base}/home.php?mod=space&amp;uid={i + 5}">{esc(a)}</a></cite><em><span>{esc(d)}</span></em></td>'
        f'<td class="num"><a href="{esc(h)}" class="xi2">{r}</a><em>{v}</em></td></tr></tbody>'
        for i, (h, s, a, d, r, v) in enumerate(threads, 1))
    pg = ""
    if pages > 1:
        links = "".join(f"<strong>{i}</strong>" if i == page_no else f'<a href="{base}/forum-{fid}-{i}.html">{i}</a>' for i in range(1, pages + 1))
        nxt = f'<a href="{base}/forum-{fid}-{page_no + 1}.html" class="nxt">下一页</a>' if page_no < pages else ""
        pg = f'<div class="pg">{links}{nxt}</div>'
    fl = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in forums)
    main = (f'<div id="pt" class="bm cl"><div class="z"><a href="{base}/" class="nvhm">老秘网_材夜思范文</a> <em>&rsaquo;</em> '
            f'<a href="{base}/forum.php">论坛</a> <em>&rsaquo;</em> {esc(forum)}</div></div>\n'
            f'<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="{esc(url if not fid else f"{base}/forum-{fid}-1.html")}">{esc(forum)}</a></h1></div></div>\n'
            f'<div class="bm bmw fl"><ul>{fl}</ul></div>'
            f'<div id="threadlist" class="tl bm bmw"><div class="bm_c"><table summary="forum_{fid}" cellspacing="0" cellpadding="0" id="threadlisttableid">'
            f'{rows}</table></div></div>\n<div class="bm bw0 pgs cl">{pg}</div>\n')
    if friends:
        main += ('<div class="bm lk"><div class="bm_h"><h2>友情链接</h2></div><div class="bm_c"><ul class="x mbm cl">'
                 + "".join(f'<li><a href="{esc(h)}" target="_blank">{esc(t)}</a></li>' for h, t in friends) + "</ul></div></div>")
    title = f"{forum} - 老秘网_材夜思范文 - Powered by Discuz!"
    return _discuz_head(title, url, charset) + _discuz_header(url) + f'<div id="wp" class="wp">{main}</div>\n' + _discuz_footer(url)


# ---------------------------------------------------------------------------------------------------------------------

def hash_str(s: str) -> int:
    """A stable (process-independent) small hash, for invented ids in links."""
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1_000_000_007
    return h


def ascii_noise(rng: random.Random) -> str:
    """A Discuz! anti-copy line of random ASCII, like `& _3 ^; K# R" y; w6 n5 q`."""
    pool = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789&^;#\"_!$%"
    return " ".join("".join(rng.choice(pool) for _ in range(rng.randint(1, 2))) for _ in range(rng.randint(6, 10)))
