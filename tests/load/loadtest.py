"""``make loadtest``: gunicorn with several workers and threads, many clients writing
and reading at once, then a check that nothing was answered 5xx, lost or saved twice.

    python -m tests.load.loadtest                      # SQLite, 64 clients, 60 s
    python -m tests.load.loadtest --clients 16 --seconds 10
    python -m tests.load.loadtest --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Each run makes its own database: a SQLite file in a temporary folder, or on
PostgreSQL a uniquely named database (dropped afterwards) on the server given.
The server listens on 127.0.0.1 only. Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _database(server_url: str | None, folder: Path):
    if not server_url:
        yield f"sqlite:///{folder / 'load.sqlite3'}"
        return
    from tests.databases import temporary_postgres_database

    with temporary_postgres_database(server_url, "incubator_load") as url:
        yield url


def _wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start within 60 s")


def _in_context(app, call) -> None:
    with app.app_context():
        call()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL", ""),
        help="a PostgreSQL server URL (a database is created on it); empty for SQLite",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 600:
        parser.error("clients 1..256 and seconds up to 600")

    from config import DevelopmentConfig
    from incubator import create_app
    from incubator.extensions import db
    from tests.load import workload

    with tempfile.TemporaryDirectory(prefix="incubator-load-") as tmp:
        folder = Path(tmp)
        with _database(args.database or None, folder) as url:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SECRET_KEY": uuid.uuid4().hex,
                "INCUBATOR_ENV": "development",
                "UPLOAD_FOLDER": str(folder / "uploads"),
                "FLASK_APP": "wsgi",
            }
            upgrade = subprocess.run(
                [sys.executable, "-m", "flask", "db", "upgrade"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if upgrade.returncode:
                sys.exit(f"flask db upgrade failed:\n{upgrade.stderr[-3000:]}")
            app = create_app(
                DevelopmentConfig,
                SQLALCHEMY_DATABASE_URI=url,
                UPLOAD_FOLDER=env["UPLOAD_FOLDER"],
                SECRET_KEY=env["SECRET_KEY"],
            )
            logging.getLogger().setLevel(logging.WARNING)
            with app.app_context():
                seeded = workload.seed(app)
                db.session.remove()
                db.engine.dispose()
            port = _free_port()
            log = folder / "gunicorn.log"
            with log.open("wb") as log_file:
                server = subprocess.Popen(  # noqa: S603 - our own command line
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--workers",
                        str(args.workers),
                        "--threads",
                        str(args.threads),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "wsgi:app",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
                try:
                    _wait_until_up(port, server, log)
                    run = workload.Workload(
                        f"http://127.0.0.1:{port}",
                        seeded,
                        clients=args.clients,
                        seconds=args.seconds,
                    )
                    tally = run.run(
                        ager=lambda: _in_context(app, workload.age_sessions)
                    )
                    elapsed = run.elapsed
                finally:
                    server.terminate()
                    server.wait(timeout=30)
            with app.app_context():
                verdict = workload.check_database(seeded, tally)
                db.session.remove()
                db.engine.dispose()
            backend = "PostgreSQL" if args.database else "SQLite"
            print(
                f"load test on {backend}: gunicorn --workers {args.workers} "
                f"--threads {args.threads}, {args.clients} clients"
            )
            print(workload.summary(tally, verdict, elapsed))
            if tally.server_errors:
                text = log.read_text(errors="replace")
                start = text.rfind("Traceback (most recent call last)")
                if start >= 0:
                    print("last traceback in the server log:")
                    print(text[start : start + 6000])
            failed = tally.server_errors or not verdict.ok
            print("FAILED" if failed else "OK")
            return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
