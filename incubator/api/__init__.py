"""The JSON API under /api/v1: the framework (``core``, ``errors``, ``openapi``, token
auth) that each feature's ``<feature>/api.py`` plugs its endpoints into. The app
factory imports the feature modules (see ``incubator.register_blueprints``)."""

from incubator.api.core import bp

__all__ = ["bp"]
