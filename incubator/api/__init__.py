"""The JSON API under /api/v1: thin adapters onto the same services as the pages."""

from incubator.api import auth, openapi, organizations, volunteers  # noqa: F401
from incubator.api.core import bp

__all__ = ["bp"]
