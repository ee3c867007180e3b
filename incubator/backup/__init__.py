"""Backups and the guard on destructive migrations.

- ``archive``: one archive (``.tar.gz``) holding the database (SQLite's online
  backup, or ``pg_dump`` for PostgreSQL), every uploaded file (photos, evidence,
  receipts, from the configured store: ``UPLOAD_FOLDER`` or the S3 bucket, see
  ``incubator.storage``) and a manifest of row counts and file hashes;
  restoring it into an empty instance (files into the configured store).
- ``postgres``: finding ``pg_dump``/``pg_restore`` and checking their version
  against the server's.
- ``cli``: ``flask backup``, ``flask restore`` and ``flask db downgrade``, which
  refuses on a database holding rows unless ``--force``.
- ``storage_cli``: ``flask storage check`` and ``flask storage copy --to
  s3|local`` (moving existing uploads between the stores).
"""
