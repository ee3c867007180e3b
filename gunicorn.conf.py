"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (as
deploy/incubator-web.service runs it).

Every value can be changed from the environment (the systemd unit reads
/etc/incubator/incubator.env). Defaults suit one app server of 2 cores behind
nginx; see README, "Running a district", for sizing.

- Workers × threads: gthread workers, ``GUNICORN_WORKERS`` (default: the number of
  cores, at least 2) × ``GUNICORN_THREADS`` (default 4). On 2 cores, 4 × 4 made the
  mix slower than 2 × 4 (issue 18): more Python threads than cores only queue for
  the GIL and the database. Each worker's pool (DB_POOL_SIZE + DB_MAX_OVERFLOW,
  default 5 + 15) must exceed its threads, and app servers × workers × pool stay
  under PostgreSQL's max_connections (100 by default).
- No ``preload_app``: each worker builds the app, and with it its own database
  engine, after the fork (a preloaded engine's connections would be shared between
  workers; ``incubator.database.dispose_after_fork`` guards that case anyway).
- Requests are logged by the app (one line with the request id, user and duration,
  ``LOG_FORMAT=json`` for JSON); gunicorn's own access log is off unless
  ``GUNICORN_ACCESSLOG`` names a file or ``-`` (stdout), and then carries the
  request id too.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# nginx's upstream (deploy/nginx-incubator.conf) names this port on each app server.
DEFAULT_PORT = 8000

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{DEFAULT_PORT}").split(",")
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", max(2, os.cpu_count() or 1))
threads = _int("GUNICORN_THREADS", 4)

# A worker silent this long is killed and replaced (gthread workers keep
# answering their heartbeat while a thread streams a long export).
timeout = _int("GUNICORN_TIMEOUT", 120)
# On a restart (SIGTERM, SIGHUP), requests under way get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app servers open (upstream keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after about this many requests (memory held by one large
# page or export is given back); the jitter keeps workers from restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
preload_app = False

# The addresses whose X-Forwarded-* headers are trusted: nginx's. On an app server
# of its own behind a separate nginx host, set nginx's address here (and
# PROXY_COUNT=1 for the app).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips

# Heartbeat files in memory, not on a disk that ProtectSystem makes read-only.
SHM = "/dev/shm"  # noqa: S108  (memory, for gunicorn's heartbeat files only)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
access_log_format = '%(h)s %({x-request-id}o)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (start, worker exits, timeouts) as JSON too.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                },
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        # The app installs its own root handler (incubator.observability).
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"handlers": ["stderr"], "propagate": False},
        },
    }

# gunicorn's control socket (gunicornc) only where asked for: its default under
# $HOME is read-only under the unit's ProtectHome, and shared by two servers of
# one user.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket

proc_name = "incubator-web"
