"""Demo sites: configured real 范文 sites rehosted under `<domain>.test`, built from original texts.

`build_demo()` renders every page (deterministically) from `fanwen/demo/content/`; `fanwen.demo.server.DemoServer`
serves them on 127.0.0.1 as an HTTP proxy; `fanwen.demo.layouts` holds one page layout per site.
"""
from __future__ import annotations

__all__ = ["Demo", "DemoArticle", "DemoPage", "build_demo"]


def __getattr__(name: str):
    # Lazy, so that `import fanwen.demo.layouts` stays cheap and never builds the demo.
    if name in __all__:
        from fanwen.demo import generator

        return getattr(generator, name)
    raise AttributeError(name)
