"""The Scrapy project: settings, the generic spider, middlewares, pipelines and per-site configs."""
