"""API of micro-ventures, plugged into ``incubator.api`` by the app factory. Each
module registers its endpoints when imported, so the order below is the order of
the OpenAPI document (keep it)."""

# isort: off
from incubator.ventures import api_rounds  # noqa: F401
from incubator.ventures import api_ventures  # noqa: F401
from incubator.ventures import api_reviews  # noqa: F401
from incubator.ventures import api_plans  # noqa: F401

# isort: on
