"""The JSON API under /api/v1: thin adapters onto the same services as the pages."""

from incubator.api import (  # noqa: F401  (routes)
    activities,
    auth,
    notifications,
    openapi,
    organizations,
    reports,
    sessions,
    ventures,
    volunteers,
)
from incubator.api.core import bp

__all__ = ["bp"]
