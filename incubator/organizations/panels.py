"""Boxes other features add to an organization's page (its activities, its
roster...), without this feature knowing them: a feature answers
``incubator.signals.organization_panels`` with ``(order, Panel | None)``.

A panel runs a fixed number of queries whatever the organization's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incubator import signals


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


def panels_for(org, viewer) -> list[Panel]:
    """The panels the features add to ``org``'s page for ``viewer``, in order."""
    found = signals.ordered(signals.organization_panels.send(org, viewer=viewer))
    return [panel for panel in found if panel is not None]
