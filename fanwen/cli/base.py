"""What every `fanwen` command shares: the command group, the common options, and the error handling that turns
bad input into one line and an exit code."""
from __future__ import annotations

import functools
import os
import sqlite3
import sys
from pathlib import Path

import click

from fanwen import __version__


DB_OPTION = click.option("--db", default="corpus.db", show_default=True, type=click.Path(dir_okay=False),
                         help="The corpus database.")
SEEDS_OPTION = click.option("--seeds", type=click.Path(exists=True, file_okay=False),
                            help="Folder of example speeches (.txt/.html) that define 'similar'.")


def friendly_errors(fn):
    """Known failures become one line on stderr and exit code 1 (2 for usage), never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
            return result
        except BrokenPipeError:
            _quiet_broken_pipe()
        except sqlite3.Error as exc:
            raise click.ClickException(f"SQL error: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            click.echo("\ninterrupted; everything stored so far is kept", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # the command's own one-line message or exit code
        except Exception as exc:
            if _known_error(exc):
                raise click.ClickException(str(exc)) from None
            if os.environ.get("FANWEN_DEBUG"):
                raise
            # a bug, not bad input: still one line (what is stored stays stored), the traceback on request
            raise click.ClickException(f"internal error: {type(exc).__name__}: {exc} (FANWEN_DEBUG=1 shows the "
                                       f"traceback; please report it)") from None
    return wrapper


# the errors that name bad input or a bad database; looked up in the modules already loaded (one that raised was
# loaded), so that no command imports the crawler or the store just to be able to catch their errors
_KNOWN_ERRORS = (("fanwen.crawl", "CrawlError"), ("fanwen.ingest", "IngestError"), ("fanwen.store", "CorpusError"),
                 ("crawler.siteconfig", "SiteConfigError"), ("fanwen.distributed", "DistributedError"))


def _known_error(exc: Exception) -> bool:
    return any(isinstance(exc, getattr(sys.modules[mod], name)) for mod, name in _KNOWN_ERRORS if mod in sys.modules)


def _quiet_broken_pipe() -> None:
    """`fanwen export | head`: the reader left, so stop quietly (nothing more to say, nobody to say it to)."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush of stdout must not fail again
    except (OSError, ValueError):
        pass
    sys.exit(0)


def require_existing_db(db: str) -> None:
    """Commands that change a corpus refuse a missing one (a mistyped --db must not create an empty database)."""
    from fanwen.store import CorpusError
    if not Path(db).exists():
        raise CorpusError(f"{db}: no such database (run `fanwen demo` or `fanwen crawl` first)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fanwen")
def main():
    """Collect leader speeches from 范文 sites into a clean, deduplicated SQLite corpus."""


REDIS_OPTION = click.option("--redis", "redis_url", metavar="URL",
                            help="Distributed crawl on scrapy-redis, e.g. redis://127.0.0.1:6379/0.")
FAIL_ON_ALERT_OPTION = click.option("--fail-on-alert", is_flag=True,
                                    help="Exit with code 3 when a site's yield alert fires (for cron).")
