"""Pages of several sibling posts (cleaners.posts): the page's own post is kept, the others are removed, visibly."""
from cleaners.extract import extract_page
from cleaners.posts import find_posts
from cleaners.dom import measure
from cleaners.extract import parse_html

SPEECH = ["同志们：今天召开全镇秋季防火工作会议，主要任务是分析形势、压实责任，确保林区平安过冬。",
          "一、认清形势，把思想统一到防火工作上来。今年入秋以来降水偏少，山林枯枝落叶多，野外用火点多面广，防火压力明显大于往年。",
          "二、突出重点，把各项措施落到山头地块。各村要落实护林员巡山制度，对坟地、果园、荒坡等重点部位实行专人看守。",
          "三、强化保障，把责任传导到每一个人。镇里将对履职不力、造成火情的单位和个人严肃追责，决不姑息。",
          "四、做好应急，把扑救力量摆在离火点最近的地方。各村应急分队要做到人员在岗、器材到位，一旦发现火情，就近扑救、及时报告。",
          "五、加强宣传，把防火常识送进千家万户。要利用广播、标语、入户走访等办法，提醒群众不在林区烧纸、烧荒、吸烟。",
          "同志们，防火工作关系群众生命财产安全，希望大家以高度负责的态度，把今冬明春的防火工作抓紧抓实。"]
OTHER_A = ["周末去河边走了走，柳树已经黄了一半，几个孩子在岸边放风筝，风很大，线绷得紧紧的。",
           "回来的路上买了两斤栗子，边走边剥，手指被烫得通红，却觉得这是秋天最好的味道。"]
OTHER_B = ["读完这本小说，印象最深的是那位守了一辈子渡口的老人，他从不说自己辛苦。",
           "书里写他每天清早把船板擦干净，好像擦的是自己的日子，读到这里我停了很久。"]


def _post(title: str, paras: list[str], day: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f'<div class="entry"><h2><a href="/p/{day}.html">{title}</a></h2><div class="date">2024-10-{day:02d}</div>'
            f'<div class="body">{body}</div><div class="tags">阅读(12) 评论(0)</div></div>')


def page(title_tag: str) -> str:
    posts = [_post("河边的秋天", OTHER_A, 3), _post("在全镇秋季防火工作会议上的讲话", SPEECH, 2),
             _post("渡口的老人", OTHER_B, 1)]
    return (f'<html><head><meta charset="utf-8"><title>{title_tag}</title></head><body><h1>山居杂记</h1>'
            f'<div class="list">{"".join(posts)}</div><div class="foot">© 山居杂记</div></body></html>')


def test_the_post_named_by_the_page_title_is_kept_and_others_removed():
    doc = extract_page(page("在全镇秋季防火工作会议上的讲话_山居杂记"), "http://blog.example/p/2.html")
    assert "秋季防火" in doc.raw_text and "把责任传导到每一个人" in doc.raw_text
    assert "栗子" not in doc.raw_text and "渡口" not in doc.raw_text
    how = doc.explain["extract"]
    assert how["posts"]["why"] == "title" and how["posts"]["kept"] == 2
    if how["extractor"] == "trafilatura-post":  # trafilatura took the others with it: their removal is shown
        assert any(n.startswith("other post: ") for n in how["dom"]["pruned"])
    assert doc.raw_title == "在全镇秋季防火工作会议上的讲话"


def test_on_an_index_page_the_speech_like_post_is_chosen():
    doc = extract_page(page("山居杂记"), "http://blog.example/")
    assert "同志们" in doc.raw_text and "栗子" not in doc.raw_text and "渡口" not in doc.raw_text
    assert doc.explain["extract"]["posts"]["why"] in ("longest", "speech")


def test_sections_of_one_article_are_not_posts():
    sections = "".join(f'<div class="sec"><h3>{p[:2]}</h3><p>{p}</p></div>' for p in SPEECH[1:4])
    html = (f'<html><head><title>在全镇秋季防火工作会议上的讲话</title></head><body><div class="art">'
            f'<p>{SPEECH[0]}</p>{sections}<p>{SPEECH[4]}</p></div></body></html>')
    tree = parse_html(html)
    assert find_posts(tree, measure(tree), ["在全镇秋季防火工作会议上的讲话"]) is None


def _discuz_thread() -> str:
    first = ("各位坛友好，我们村今年试种了二十亩高山蔬菜，<font class=\"jammer\">x9k2</font>长势不错，"
             "想请教大家冬季大棚怎样保温才划算？<span style=\"display:none\">隐藏的乱码</span>")
    reply = "我家用的是双层膜加草帘，夜里再点两盆炭火，一冬下来成本不高，菜也没冻着。"
    posts = "".join(
        f'<div id="post_{n}"><table><tr><td class="pls"><a href="/space/{n}">会员{n}</a></td><td class="plc">'
        f'<div class="authi"><em>发表于 2024-1-{n} 10:00</em></div><div class="pct"><div class="pcb">'
        f'<div class="t_fsz"><table><tr><td class="t_f" id="postmessage_{n}">{txt}</td></tr></table></div>'
        f'</div></div></td></tr></table></div>' for n, txt in ((101, first), (102, reply)))
    return ('<html><head><meta name="generator" content="Discuz! X3.4"><title>冬季大棚保温请教 - 乡村论坛</title>'
            f'</head><body><div id="postlist">{posts}</div></body></html>')


def test_forum_post_bodies_first_post_first_without_hidden_text():
    """The engine's post bodies, in order, without the user panels and the hidden anti-copy text."""
    from cleaners.density import thread_posts_text

    text, n, short = thread_posts_text(parse_html(_discuz_thread()))
    assert (n, short) == (2, 0)  # a short first post (a question): the reply is content
    assert text.index("高山蔬菜") < text.index("双层膜")
    assert "x9k2" not in text and "隐藏的乱码" not in text and "会员101" not in text
    doc = extract_page(_discuz_thread(), "http://bbs.example/forum.php?mod=viewthread&tid=7")
    assert "高山蔬菜" in doc.raw_text and "双层膜" in doc.raw_text


def test_short_replies_under_a_long_first_post_are_left_out():
    from cleaners.density import thread_posts_text

    long_first = "。".join(SPEECH * 2)
    html = _discuz_thread().replace("各位坛友好，", long_first + "。各位坛友好，")
    text, n, short = thread_posts_text(parse_html(html))
    assert (n, short) == (1, 1) and "双层膜" not in text and "把责任传导到每一个人" in text


def _table_blog(title_tag: str) -> str:
    """An old table-layout blog index: a sidebar column beside the column of posts (the two columns are siblings
    too), each post's title in a cell of class post-title (no link), its date in the next cell, its body below."""
    def post(title, paras, day):
        body = "<br>".join(paras)
        return (f'<tr><td><table class="post"><tr><td class="post-title">{title}</td><td>2024-10-{day:02d} 08:30</td>'
                f'</tr><tr><td class="post-body">{body}</td></tr><tr><td class="post-footer">'
                f'<a href="/c/{day}">评论(0)</a></td></tr></table></td></tr>')
    posts = [post("河边的秋天", OTHER_A * 3, 3), post("在全镇秋季防火工作会议上的讲话", SPEECH, 2),
             post("渡口的老人", OTHER_B * 4, 1)]
    side = ('<div class="side"><a href="/u">我的相册</a><br>喜欢爬山，也喜欢在山里住上几天，看云从山谷里升起来，'
            '听松涛一阵接着一阵，这是城里没有的安静。<a href="/dir">查看博客目录</a> 2024-10-05</div>')
    return (f'<html><head><meta charset="utf-8"><title>{title_tag}</title></head><body><div class="wrap">{side}'
            f'<div class="main"><table>{"".join(posts)}</table></div></div></body></html>')


def test_post_titles_that_are_no_links_name_the_page_post_inside_the_page_columns():
    doc = extract_page(_table_blog("在全镇秋季防火工作会议上的讲话 (图)"), "http://blog.example/p/2.html")
    assert "把责任传导到每一个人" in doc.raw_text
    assert "栗子" not in doc.raw_text and "渡口" not in doc.raw_text
    assert doc.explain["extract"]["posts"]["why"] == "title"


def test_a_page_wrapped_in_another_element_is_still_read():
    # markup that does not start like a page (a saved fragment, the page inside a wrapper element): trafilatura's
    # loader gives up on it or roots it at the wrapper; the text must still come out
    inner = "".join(f"<p>{p}</p>" for p in SPEECH)
    for html in (f'<text id="x" title="讲话"><form action="p.aspx"><div id="nav"><a href="/">首页</a></div>'
                 f'<div class="post"><h2>在全镇秋季防火工作会议上的讲话</h2>{inner}</div></form></text>',
                 f'<text id="x"><html><head><title>讲话</title></head><body><div class="post">{inner}</div>'
                 f'</body></html></text>'):
        doc = extract_page(html, "http://blog.example/p/2.html")
        assert "把扑救力量摆在离火点最近的地方" in doc.raw_text and "同志们" in doc.raw_text, html[:40]
