"""A PostgreSQL database of its own for one run (the suite's, the load test's): the
machine's server keeps whatever earlier runs left, and CI shares it (PITFALLS.md),
so each run makes a uniquely named database and drops it at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def temporary_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<random>`` on the server of ``server_url``, yield its URL
    (password kept), and drop it (closing its connections) when the block ends."""
    base = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
