"""The round's story: the window and nine applications, two review batches and their
decisions, three ventures carried out, and one closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from incubator.auth.models import User
from incubator.demo.clock import at as _at
from incubator.demo.ventures.deciding import _first_batch, _second_batch
from incubator.demo.ventures.implementing import _carry_out
from incubator.demo.ventures.proposals import (
    PROPOSALS,
    ROUND_BUDGET,
    ROUND_DESCRIPTION,
    ROUND_NAME,
)
from incubator.demo.ventures.steps import _apply, _dated, _move, _worker
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.ventures import rounds
from incubator.ventures.models import State, VentureRound
from incubator.ventures.schemas import RoundChange, RoundSchedule


def seed_ventures(admin: User, workers: Sequence[User], viewer: User) -> VentureRound:
    """The round 禾你益起 第一期 and its nine ventures: ``admin`` runs the round and
    decides, the social workers ``workers`` and ``viewer`` review, each
    organization's own social worker keeps its plan. Returns the round."""
    today = local_today()
    opens = months_before(today, 10)
    closes = months_before(today, 9)
    runs_from = months_before(today, 8)
    runs_until = months_before(today, -2)  # two months ahead
    orgs = {org.name: org for org in db.session.scalars(select(Organization))}

    with _dated(opens - timedelta(days=7)):
        round_ = rounds.create_round(
            RoundSchedule(
                name=ROUND_NAME,
                budget=f"{ROUND_BUDGET:.2f}",
                description=ROUND_DESCRIPTION,
                opens_on=opens,
                closes_on=today,  # open while the applications are taken
                runs_from=runs_from,
                runs_until=runs_until,
            ),
            actor=admin,
        )
        round_.created_at = _at(opens - timedelta(days=7))
    ventures = {}
    for index, proposal in enumerate(PROPOSALS):
        with _dated(opens + timedelta(days=2 + 3 * index)) as moment:
            venture = ventures[proposal.org] = _apply(round_, proposal, orgs)
            venture.created_at = venture.state_since = moment
    with _dated(closes, hour=18):
        rounds.update_round(
            round_,
            RoundChange(version=round_.version, closes_on=closes),
            actor=admin,
        )

    _first_batch(ventures, admin, [*workers, viewer], closes, runs_from)
    _second_batch(ventures, admin, workers, viewer, today)
    _carry_out(ventures, today, runs_from)

    # 结项 of the dance team's venture.
    dance = ventures["禾山夕阳红舞蹈队"]
    _move(
        dance,
        State.CLOSED,
        today - timedelta(days=20),
        _worker(dance),
        outputs_achieved="公益教学18场、服务680人次；《广场舞文明公约》经小区居民"
        "议事会通过；培养带教骨干7名；重阳文艺汇演1场，观众约300人。",
        closing_grade="excellent",
        lessons="与物业事先约定场地和时段，扰民投诉明显减少；骨干轮流带教，"
        "项目结束后教学仍可持续。下期可把模式带到其他小区。",
    )
    db.session.flush()
    return round_
