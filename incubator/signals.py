"""The catalogue of extension points: blinker signals a lower layer sends and a higher
one answers, so organizations never import the features that add to its pages.

Infrastructure: this module imports nothing from the features. A feature connects
its receivers when its ``hooks`` module is imported (the app factory imports every
hooks module), at module level, never inside ``create_app``: a module is imported
once per process, so a receiver is connected exactly once however many apps the
tests build. Receivers are module-level functions, which blinker's weak references
keep alive as long as their module.

blinker calls receivers in no defined order. Where the old registries had one (the
panels of an organization's page, the timeline's sources, whose ties keep their
order), a receiver returns ``(order, value)`` and the sender sorts by ``order``
(``ordered``); the orders in use are listed under each signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blinker import Namespace

_signals = Namespace()


def ordered(results: Iterable[tuple[Any, tuple[int, Any]]]) -> list[Any]:
    """The values of ``signal.send(...)``'s results whose receivers return
    ``(order, value)``, sorted by ``order`` (ties keep blinker's order)."""
    pairs = [answer for _receiver, answer in results]
    return [value for _order, value in sorted(pairs, key=lambda pair: pair[0])]


def values(results: Iterable[tuple[Any, Any]]) -> list[Any]:
    """The values of ``signal.send(...)``'s results, without their receivers."""
    return [answer for _receiver, answer in results]


# ---- auth -> audit, auth -> organizations (helper "layers") ----

account_changed = _signals.signal(
    "account-changed",
    doc="""Something happened to an account or an API token that the audit trail
    records (auth sits below audit, so it announces instead of writing the entry).

    Sender: the ``User`` or ``ApiToken``. Keyword arguments: ``action`` (login,
    logout, token_issued, token_revoked, create, update, activate, deactivate,
    password_reset, password_change), ``actor`` (the user who did it), ``changes``
    (``{field: [before, after]}``, or ``None`` for the sender's pending changes)
    and ``summary``. Sent before the change is flushed; the receiver
    (audit.services) adds the entry in the same transaction.""",
)

organizations_led = _signals.signal(
    "organizations-led",
    doc="""An account was created or edited with the organizations it leads.

    Sender: the ``User`` (flushed, with an id). Keyword arguments:
    ``organization_ids`` (the organizations it leads from now on; ignored unless
    the user is an organization leader) and ``actor``. The receiver
    (organizations.leaders) sets the organizations' leader and audits each
    change; it raises ``ValidationFailed`` on ``organization_ids`` for an unknown
    organization, which the sender lets through.""",
)

leadable_organizations = _signals.signal(
    "leadable-organizations",
    doc="""Asked by the account pages (auth): which organizations an organization
    leader's account may be set to lead.

    No sender. The receiver (organizations.leaders) returns ``[(id, name)]`` of
    the organizations not archived, by name; the page offers them in that order.""",
)

scheduled_jobs = _signals.signal(
    "scheduled-jobs",
    doc="""Asked by the reminders admin page: the jobs the scheduler process runs
    and when each fires next (the scheduler sits above reminders).

    Sender: the Flask app. Keyword argument: ``now`` (aware UTC). The receiver
    (incubator.scheduler) returns ``(jobs, next_runs)``: its ``Job`` list in
    order and ``{job id: next fire time or None}``.""",
)
