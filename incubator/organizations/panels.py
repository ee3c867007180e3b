"""Boxes other features add to an organization's page (its activities, its
roster...), without this feature knowing them::

    @register_org_panel
    def my_panel(org, viewer) -> Panel | None: ...

A panel runs a fixed number of queries whatever the organization's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PanelItem:
    label: str
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    summary: str = ""
    more_url: str | None = None
    more_label: str = ""
    empty: str = ""


PanelFactory = Callable[[object, object], Panel | None]
PANELS: list[PanelFactory] = []


def register_org_panel(factory: PanelFactory) -> PanelFactory:
    if factory not in PANELS:
        PANELS.append(factory)
    return factory


def panels_for(org, viewer) -> list[Panel]:
    return [panel for factory in PANELS if (panel := factory(org, viewer)) is not None]
