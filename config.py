"""Configuration classes.

Every setting a deployment changes comes from the environment (or a ``.env`` file that
``wsgi.py`` loads). ``ProductionConfig`` refuses to start without a real ``SECRET_KEY``;
elsewhere an unset ``SECRET_KEY`` means a random key kept in ``instance/secret_key``
(``incubator/secret_key.py``). No fixed key exists anywhere.
"""

import os
import secrets
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# A checkout keeps its data in instance/ at its top. Installed from a wheel (this
# file then sits in site-packages), Flask's instance folder for an installed
# package: <prefix>/var/incubator-instance.
INSTANCE_DIR = (
    BASE_DIR / "instance"
    if (BASE_DIR / "pyproject.toml").is_file()
    else Path(sys.prefix) / "var" / "incubator-instance"
)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    # None: a random key made once and kept in SECRET_KEY_FILE (not in production).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE") or str(
        INSTANCE_DIR / "secret_key"
    )
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE_DIR / 'incubator.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Connections per worker: keep DB_POOL_SIZE + DB_MAX_OVERFLOW above gunicorn's
    # --threads, and workers x that sum under PostgreSQL's max_connections.
    DB_POOL_SIZE = _env_int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = _env_int("DB_MAX_OVERFLOW", 15)
    # The key of residents' identities (HMAC of the mobile number), apart from
    # SECRET_KEY so a rotated session key never splits one resident into two.
    RESIDENT_KEY = os.environ.get("RESIDENT_KEY") or None
    RESIDENT_KEY_FILE = os.environ.get("RESIDENT_KEY_FILE") or str(
        INSTANCE_DIR / "resident_key"
    )
    # Residents' mobile numbers besides their hash: "masked" keeps only
    # 138****8000; "encrypted" also keeps the number encrypted for staff who may
    # see personal data.
    RESIDENT_PHONE_STORAGE = os.environ.get("RESIDENT_PHONE_STORAGE") or "masked"
    # Sign-ins older than this many years are anonymized by the retention job.
    SIGN_IN_RETENTION_YEARS = _env_int("SIGN_IN_RETENTION_YEARS", 3)
    # The public sign-in page's throttle: posts a minute per client address and
    # per sign-in code, counted in the database for every worker.
    SIGN_IN_PER_ADDRESS = _env_int("SIGN_IN_PER_ADDRESS", 30)
    SIGN_IN_PER_CODE = _env_int("SIGN_IN_PER_CODE", 300)
    TIMEZONE = os.environ.get("TIMEZONE") or "Asia/Shanghai"
    # The social work agency, named on certificates and reports.
    AGENCY_NAME = os.environ.get("AGENCY_NAME") or "社会工作服务机构"
    # The domain in calendar-feed event UIDs; keep it fixed once phones subscribe.
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN") or "incubator.local"

    # i18n: Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_SUPPORTED_LOCALES = ["zh_Hans_CN", "en"]
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "incubator" / "translations")

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"

    # Uploads (photos, Excel) never exceed this; larger bodies get 413.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)
    # Photos and evidence files (kept out of the web root, served after a check).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    # Where uploaded files live (incubator/storage.py): "local" (UPLOAD_FOLDER)
    # or "s3" (an S3-compatible object store, shared by several app servers).
    # Credentials come from boto3's chain: AWS_ACCESS_KEY_ID and
    # AWS_SECRET_ACCESS_KEY, a profile, or the machine's role.
    STORAGE = os.environ.get("STORAGE") or "local"
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    # MinIO, Aliyun OSS, Tencent COS...: their endpoint; empty for AWS itself.
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    # A folder inside the bucket (e.g. the agency's name) when it is shared.
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    # "path" (MinIO), "virtual" (OSS, COS), or "auto" (boto3 decides).
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE") or "auto"

    # Where pg_dump/pg_restore live for `flask backup`/`restore` (default: PATH).
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")

    # Sessions: idle 30 minutes, absolute 12 hours, "remember me" at most 14 days.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    REMEMBER_ME_DURATION = timedelta(days=_env_int("REMEMBER_ME_DAYS", 14))
    PERMANENT_SESSION_LIFETIME = REMEMBER_ME_DURATION
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "incubator_session"
    SESSION_PROTECTION = "basic"

    # Failed logins, counted in the database so every worker shares the count.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW = timedelta(minutes=_env_int("LOGIN_FAILURE_MINUTES", 15))

    API_TOKEN_LIFETIME = timedelta(days=_env_int("API_TOKEN_DAYS", 30))
    # How long an API create's Idempotency-Key (and its first answer) is kept.
    IDEMPOTENCY_KEY_TTL = timedelta(hours=_env_int("IDEMPOTENCY_KEY_HOURS", 24))

    # Log lines: "text" (default) or "json" (one object per line); the level.
    LOG_FORMAT = (os.environ.get("LOG_FORMAT") or "text").strip().lower()
    LOG_LEVEL = (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    # /readyz: how long the database and object store checks may take (seconds).
    READY_TIMEOUT = float(os.environ.get("READY_TIMEOUT") or 2)
    # The scheduler's leader election (PostgreSQL): how often a standby tries to
    # take the lock, and how often the leader checks it still holds it (seconds).
    SCHEDULER_STANDBY_POLL = float(os.environ.get("SCHEDULER_STANDBY_POLL") or 15)
    SCHEDULER_LEADER_CHECK = float(os.environ.get("SCHEDULER_LEADER_CHECK") or 15)
    # How often the scheduler delivers pending email and WeCom reminders (seconds).
    DELIVERY_INTERVAL_SECONDS = _env_int("DELIVERY_INTERVAL_SECONDS", 60)

    # Behind nginx or another reverse proxy: how many proxies set X-Forwarded-*.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)

    # Monthly reminders: the day and hour (project time zone) they go out.
    # (a day from 1 to 28, so that every month has it; an hour from 0 to 23)
    REMINDER_DAY = min(max(_env_int("REMINDER_DAY", 1), 1), 28)
    REMINDER_HOUR = min(max(_env_int("REMINDER_HOUR", 9), 0), 23)
    # Months missed while the scheduler was down that it records at start-up.
    REMINDER_CATCH_UP_MONTHS = _env_int("REMINDER_CATCH_UP_MONTHS", 3)
    DELIVERY_MAX_ATTEMPTS = _env_int("DELIVERY_MAX_ATTEMPTS", 5)
    # The address people open the product at, for links in emails and WeCom.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    # Email (SMTP): empty MAIL_SERVER switches the email channel off.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM") or "noreply@localhost"
    # The WeCom (企业微信) group robot of the agency's team; empty switches it off.
    WECOM_WEBHOOK_URL = os.environ.get("WECOM_WEBHOOK_URL", "")

    # argon2id, OWASP minimum (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    UPLOAD_FOLDER = tempfile.mkdtemp(prefix="incubator-uploads-")
    # A new random key for every test run, never a value written down anywhere.
    SECRET_KEY = secrets.token_hex(32)
    RESIDENT_KEY = secrets.token_hex(32)
    RESIDENT_KEY_FILE = str(Path(tempfile.mkdtemp(prefix="incubator-key-")) / "rk")
    WTF_CSRF_ENABLED = False
    # Fast hashes in tests; the algorithm (argon2id) stays the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    # Tests point these at servers on loopback when they need them.
    MAIL_SERVER = ""
    WECOM_WEBHOOK_URL = ""
    # A write statement in a read request's transaction is an error, not a log line.
    STRICT_READ_TRANSACTIONS = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 16:
            raise RuntimeError(
                "SECRET_KEY is not set (or shorter than 16 characters): production "
                "refuses to start without one, because sessions, CSRF tokens and "
                "password-reset links would be forgeable. Set SECRET_KEY in the "
                'environment or .env, e.g. python -c "import secrets; '
                'print(secrets.token_hex(32))".'
            )
        cls.SECRET_KEY = secret


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ``INCUBATOR_ENV`` (default development)."""
    name = os.environ.get("INCUBATOR_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(
            f"INCUBATOR_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}"
        )
    return CONFIGS[name]
