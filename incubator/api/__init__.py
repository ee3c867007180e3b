"""The JSON API under /api/v1: thin adapters onto the same services as the pages."""

from incubator.api import auth, openapi, organizations  # noqa: F401  (routes)
from incubator.api.core import bp

__all__ = ["bp"]
