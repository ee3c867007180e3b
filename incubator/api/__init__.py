"""The JSON API under /api/v1: thin adapters onto the same services as the pages."""

from incubator.api import auth, openapi  # noqa: F401  (registers the routes)
from incubator.api.core import bp

__all__ = ["bp"]
