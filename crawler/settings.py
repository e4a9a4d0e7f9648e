"""Scrapy settings for the fanwen crawler: polite by default (robots.txt, AutoThrottle, 1–2 requests per site)."""
import os

BOT_NAME = "fanwen"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are and where to complain: set FANWEN_CONTACT_URL to your project page or mail form.
FANWEN_CONTACT_URL = os.environ.get("FANWEN_CONTACT_URL", "https://example.org/fanwen-corpus")
USER_AGENT = f"fanwen-corpus/0.1 (research corpus of public speeches; +{FANWEN_CONTACT_URL})"

ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "crawler.robots.TolerantRobotParser"  # GBK- and BOM-tolerant

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
FANWEN_RETRY_BACKOFF_BASE = 2.0  # seconds; doubled on each retry (crawler.middlewares.BackoffRetryMiddleware)
FANWEN_RETRY_BACKOFF_MAX = 120.0
FANWEN_RETRY_AFTER_MAX = 120.0  # a 429/503 Retry-After pauses the site this long at most

# a slow or trickling URL holds one of the site's two slots at most this long (the whole download, not per read)
DOWNLOAD_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # a speech page is < 500 KB; bigger downloads are cancelled
DOWNLOAD_WARNSIZE = 1 * 1024 * 1024
FANWEN_MAX_PAGE_CHARS = 1_000_000  # HTML characters per article beyond which it is dropped before extraction
FANWEN_EXTRACT_TIMEOUT = 30.0  # seconds of extraction per article in a worker; a runaway page is dropped
FANWEN_SITES_DIR = os.environ.get("FANWEN_SITES_DIR")  # site configs folder (default: crawler/sites)
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 12

SPIDER_MIDDLEWARES = {
    "crawler.sitestats.SiteResponsesMiddleware": 45,  # before HttpErrorMiddleware (50): every final status per site
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.sitestats.SiteDownloadErrorsMiddleware": 40,  # outside the retries: final download failures per site
    "crawler.middlewares.SafeUrlMiddleware": 50,  # before anything else: drop IPs, other schemes, other domains
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.sitestats.SiteRobotsTxtMiddleware": 100,  # Scrapy's, counting blocked URLs per site
    "crawler.middlewares.RequestBudgetMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
EXTENSIONS = {
    "crawler.writerlock.WriterLockExtension": 0,  # one writer per corpus.db (fanwen/lock.py)
    "crawler.sitestats.SiteStats": 500,  # per-site requests and seconds (fanwen.health)
}
FANWEN_LOCK_HELD = False  # set by `fanwen crawl`, whose own process holds the lock
ITEM_PIPELINES = {
    "crawler.pipelines.ProcessPipeline": 300,  # extract -> clean -> normalise -> classify, in worker processes
    "crawler.pipelines.StorePipeline": 800,  # dedup + store, the single writer
}

FANWEN_DB = "corpus.db"
FANWEN_WORKERS = max(1, (os.cpu_count() or 2))
FANWEN_RELEVANCE_THRESHOLD = 0.5
FANWEN_MAX_REQUESTS = 0  # 0 = no budget

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("FANWEN_LOG_LEVEL", "INFO")

# Distributed crawling on scrapy-redis (pip install 'fanwen-corpus[distributed]'), e.g. in a settings override:
#   SCHEDULER = "scrapy_redis.scheduler.Scheduler"
#   DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
#   SCHEDULER_PERSIST = True
#   REDIS_URL = "redis://host:6379/0"
