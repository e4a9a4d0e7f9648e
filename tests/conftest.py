import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def shared_dir():
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def tmp_db(tmp_path):
    return str(tmp_path / "corpus.db")


@pytest.fixture(autouse=True)
def _no_proxy_leak(monkeypatch):
    # tests never reach beyond loopback: make sure no inherited proxy points elsewhere
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory):
    """A demo corpus crawled once per test session (the real spider and pipeline over loopback); read-only use."""
    from fanwen.crawl import run_crawl
    from fanwen.demo.server import DemoServer

    db = str(tmp_path_factory.mktemp("demo_corpus") / "corpus.db")
    with DemoServer() as server:
        run_crawl(db, demo=True, proxy=server.proxy_url, workers=2)
    return db
