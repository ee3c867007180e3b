"""The tailored support plan (量身定制服务策略) of a venture and the catalogue it is
proposed from.

On approval, the organization's two weakest dimensions of its latest assessment
pick entries of the catalogue for its stage (entries with no stage fit any stage);
each becomes a plan action due ``due_days`` after approval. The social worker then
keeps, edits, removes or adds actions and marks them done with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.scope import in_scope_of
from incubator.database import utcnow
from incubator.deadlines import due_before, overdue
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.incubation import dimensions, stages
from incubator.organizations.models import Organization
from incubator.organizations.records import weakest_dimensions
from incubator.organizations.stages import latest_assessment
from incubator.ventures.events import add_event, flush_venture
from incubator.ventures.models import PlanAction, PlanTemplate, State, Venture
from incubator.ventures.schemas import (
    ActionCompletion,
    PlanActionChange,
    PlanActionEntry,
)

# Goals per dimension, and one action per stage of the line (萌芽, 孵化, 培育, 自治).
_GOALS = {
    "governance": "建立基本的组织章程与议事规则",
    "leadership": "培养能独立带队的骨干",
    "service_delivery": "提升活动策划与执行能力",
    "resource_mobilization": "拓展社区内外的资源渠道",
    "finance": "规范经费使用与财务公开",
    "volunteer_management": "建立稳定的志愿者队伍",
    "community_engagement": "扩大居民参与和社区影响",
}
_ACTIONS = {
    "governance": (
        "社工陪同召开成立会议，明确宗旨、分工和联系人",
        "协助起草组织章程和例会制度，每月召开一次例会",
        "指导完善议事规则和换届办法，准备备案材料",
        "协助组织自行修订章程并完成年度工作总结",
    ),
    "leadership": (
        "识别2-3名热心骨干，明确各自负责的事务",
        "骨干参加一次领导力培力课程，轮流主持例会",
        "由骨干独立策划并带领一次活动，社工只做复盘",
        "骨干带教新成员，形成骨干梯队",
    ),
    "service_delivery": (
        "社工示范一次小型活动的策划、分工和总结",
        "使用活动策划表完成一次活动，活动后复盘",
        "按季度制定活动计划，尝试开展社区活动",
        "形成有特色的品牌服务，并总结服务手册",
    ),
    "resource_mobilization": (
        "梳理成员自身可提供的场地、物资和技能",
        "社工引荐一家辖区单位或商户建立联系",
        "自行链接一项外部资源，并在台账登记",
        "与两家以上伙伴建立长期合作关系",
    ),
    "finance": (
        "讲解微创投经费使用规范和票据要求",
        "建立收支流水账，每次支出保留票据",
        "每季度向成员公开一次账目",
        "完成结项财务报告，接受第三方检查",
    ),
    "volunteer_management": (
        "建立成员和志愿者名册",
        "按活动记录志愿服务时长",
        "开展一次志愿者培训并制定激励办法",
        "组织年度志愿者表彰，吸纳新志愿者",
    ),
    "community_engagement": (
        "在小区张贴活动公告，邀请居民参加一次活动",
        "开展一次面向居民的需求调查",
        "联合居委会举办一次社区活动",
        "参与社区议事，回应居民提出的公共议题",
    ),
}
_STAGES = ("intake", "incubating", "cultivating", "self_governing")
_DUE_DAYS = (30, 60, 90, 120)


@dataclass(frozen=True)
class Entry:
    id: int | None
    stage: str
    dimension: str
    goal: str
    action: str
    due_days: int


DEFAULT_CATALOGUE = tuple(
    Entry(None, stage, dimension, goal, _ACTIONS[dimension][i], _DUE_DAYS[i])
    for dimension, goal in _GOALS.items()
    for i, stage in enumerate(_STAGES)
)


def catalogue_saved() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PlanTemplate)))


def catalogue(*, include_inactive: bool = False) -> list[Entry]:
    """The admin's catalogue, or the defaults when none has been saved."""
    stmt = select(PlanTemplate).order_by(
        PlanTemplate.dimension, PlanTemplate.position, PlanTemplate.id
    )
    rows = db.session.scalars(stmt).all()
    if not rows:
        return list(DEFAULT_CATALOGUE)
    return [
        Entry(r.id, r.stage, r.dimension, r.goal, r.action, r.due_days)
        for r in rows
        if r.active or include_inactive
    ]


def materialize_catalogue() -> None:
    """Copy the defaults into the table before the first admin edit."""
    if catalogue_saved():
        return
    for position, entry in enumerate(DEFAULT_CATALOGUE):
        db.session.add(
            PlanTemplate(
                stage=entry.stage,
                dimension=entry.dimension,
                goal=entry.goal,
                action=entry.action,
                due_days=entry.due_days,
                position=position,
            )
        )
    db.session.flush()


def customize_catalogue(*, actor: User) -> None:
    """Make the catalogue editable: the defaults become rows (admins)."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead edits the catalogue."))
    materialize_catalogue()
    audit.record_event("customize", "PlanTemplate", actor=actor)


def suggestions(stage: str, dimensions: list[str]) -> list[Entry]:
    """Catalogue entries for ``stage`` on each of ``dimensions`` (in that order);
    entries with no stage serve when none is written for the stage."""
    entries = catalogue()
    chosen = []
    for dimension in dimensions:
        own = [e for e in entries if e.dimension == dimension and e.stage == stage]
        chosen.extend(
            own or [e for e in entries if e.dimension == dimension and not e.stage]
        )
    return chosen


def propose_actions(venture: Venture, *, actor: User) -> list[PlanAction]:
    """On approval: plan actions from the catalogue for the organization's stage
    and two weakest dimensions. Nothing is proposed without an assessment."""
    org = venture.organization
    weakest = [s.dimension for s in weakest_dimensions(latest_assessment(org))]
    start = venture.decided_on or local_today()
    owner = org.social_worker.name if org.social_worker else ""
    actions = []
    for entry in suggestions(org.stage, weakest):
        due = start + timedelta(days=entry.due_days)
        due = min(due, max(venture.round.runs_until, start))
        action = PlanAction(
            venture_id=venture.id,
            goal=entry.goal,
            action=entry.action,
            owner=owner,
            due_on=due,
            dimension=entry.dimension,
            template_id=entry.id,
            created_by_id=actor.id,
        )
        db.session.add(action)
        actions.append(action)
    if actions:
        db.session.flush()
        audit.record_event(
            "propose_plan",
            "Venture",
            actor=actor,
            entity_id=venture.id,
            summary=",".join(weakest),
            changes={"actions": [None, [a.id for a in actions]]},
        )
        add_event(
            venture,
            actor,
            "proposed",
            "、".join(a.goal for a in actions[:1]) if len(actions) == 1 else "",
        )
    db.session.flush()
    return actions


# ---- the plan ----

OPEN_FOR_PLAN = frozenset({State.APPROVED, State.RUNNING})


def _may_plan(actor: User, venture: Venture) -> None:
    if actor.role not in STAFF_ROLES:
        raise NotPermitted(_l("The social worker keeps the support plan."))
    if venture.state not in OPEN_FOR_PLAN:
        raise RuleViolation(
            _l("The plan is kept while the venture is approved or running.")
        )


def _check_due(due: date, venture: Venture) -> None:
    if not venture.round.opens_on <= due <= date(2100, 12, 31):
        raise ValidationFailed(
            _l("A due date within the round, please."), field="due_on"
        )


def add_action(venture: Venture, entry: PlanActionEntry, *, actor: User) -> PlanAction:
    _may_plan(actor, venture)
    _check_due(entry.due_on, venture)
    action = PlanAction(venture_id=venture.id, created_by_id=actor.id, **entry.fields())
    db.session.add(action)
    audit.record("create", action, actor=actor)
    add_event(venture, actor, "action_added", action.goal)
    db.session.flush()
    return action


def update_action(
    plan_action: PlanAction, change: PlanActionChange, *, actor: User
) -> PlanAction:
    """Change a plan action's ``goal``, ``action`` (its text), ``owner`` or
    ``due_on``: the fields ``change`` sent (and not null), the others keep their
    value; the result must be a valid entry (``ValidationFailed`` as for a new
    one). Raises ``NotPermitted``, ``RuleViolation`` (removed action) or
    ``StaleRecord`` (``change.version`` is not the current one).
    """
    venture = plan_action.venture
    _may_plan(actor, venture)
    if plan_action.removed_at is not None:
        raise RuleViolation(_l("This action was removed from the plan."))
    if change.version != plan_action.version:
        raise StaleRecord(
            _l("Someone else changed this action after you opened it; reload it.")
        )
    merged = {k: getattr(plan_action, k) for k in ("goal", "action", "owner", "due_on")}
    merged.update(
        {
            k: v
            for k, v in change.model_dump(include=set(merged)).items()
            if k in change.model_fields_set and v is not None
        }
    )
    entry = PlanActionEntry.model_validate(merged)
    _check_due(entry.due_on, venture)
    for key, value in entry.fields().items():
        setattr(plan_action, key, value)
    audit.record("update", plan_action, actor=actor)
    flush_venture()
    return plan_action


def complete_action(
    action: PlanAction, *, actor: User, note: str, done_on: date | None = None
) -> PlanAction:
    """Mark done with a note saying what was done (``ActionCompletion``'s rules,
    once the action may be marked)."""
    _may_plan(actor, action.venture)
    if action.removed_at is not None:
        raise RuleViolation(_l("This action was removed from the plan."))
    if action.done_on is not None:
        raise RuleViolation(_l("This action is already done."))
    done = ActionCompletion(done_note=note, done_on=done_on)
    action.done_on = done.day
    action.done_note = done.note
    audit.record("complete", action, actor=actor)
    add_event(action.venture, actor, "action_done", action.goal)
    flush_venture()
    return action


def remove_action(action: PlanAction, *, actor: User) -> None:
    """Take an action off the plan (kept in the record, shown as removed)."""
    _may_plan(actor, action.venture)
    if action.done_on is not None:
        raise RuleViolation(_l("A done action stays on the plan."))
    if action.removed_at is None:
        action.removed_at = utcnow()
        audit.record("remove", action, actor=actor)
        add_event(action.venture, actor, "action_removed", action.goal)
        flush_venture()


def overdue_counts(org_ids: list[int] | None = None) -> dict[int, int]:
    """Open, overdue plan actions per organization, in one query."""
    stmt = (
        select(Venture.organization_id, func.count(PlanAction.id))
        .join(Venture, Venture.id == PlanAction.venture_id)
        .where(
            PlanAction.done_on.is_(None),
            PlanAction.removed_at.is_(None),
            overdue(PlanAction.due_on, local_today()),
            Venture.state.in_([s.value for s in OPEN_FOR_PLAN]),
        )
        .group_by(Venture.organization_id)
    )
    if org_ids is not None:
        stmt = stmt.where(Venture.organization_id.in_(org_ids))
    return dict(db.session.execute(stmt).all())


def save_template(
    *,
    actor: User,
    template: PlanTemplate | None = None,
    expected_version: int | None = None,
    **values,
) -> PlanTemplate:
    """Add or change a catalogue entry (admins)."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead edits the catalogue."))
    materialize_catalogue()
    if values.get("dimension") not in {d.key for d in dimensions()}:
        raise ValidationFailed(_l("Please choose one."), field="dimension")
    stage = values.get("stage") or ""
    if stage and stage not in {s.key for s in stages()}:
        raise ValidationFailed(_l("Please choose one."), field="stage")
    goal = " ".join(str(values.get("goal") or "").split())
    action_text = str(values.get("action") or "").strip()
    if not goal or len(goal) > 200:
        raise ValidationFailed(_l("Please fill this in."), field="goal")
    if not action_text or len(action_text) > 2000:
        raise ValidationFailed(_l("Please fill this in."), field="action")
    due_days = values.get("due_days")
    if (
        isinstance(due_days, bool)
        or not isinstance(due_days, int)
        or not (1 <= due_days <= 730)
    ):
        raise ValidationFailed(
            _l("Days from approval: a whole number from 1 to 730."), field="due_days"
        )
    if template is None:
        template = PlanTemplate(position=10_000)
        db.session.add(template)
        verb = "create"
    else:
        if expected_version is None or expected_version != template.version:
            raise StaleRecord(
                _l("Someone else changed this entry after you opened it; reload it.")
            )
        verb = "update"
    template.stage = stage
    template.dimension = values["dimension"]
    template.goal = goal
    template.action = action_text
    template.due_days = due_days
    template.active = bool(values.get("active", True))
    audit.record(verb, template, actor=actor)
    flush_venture()
    return template


def actions_due_by_worker(end: date) -> dict[int | None, int]:
    """Open plan actions of running or approved ventures due before ``end``
    (overdue ones included), per social worker of the organization."""
    return dict(
        db.session.execute(
            select(Organization.social_worker_id, func.count(PlanAction.id))
            .join(Venture, Venture.id == PlanAction.venture_id)
            .join(Organization, Organization.id == Venture.organization_id)
            .where(
                PlanAction.done_on.is_(None),
                PlanAction.removed_at.is_(None),
                due_before(PlanAction.due_on, end),
                Venture.state.in_([s.value for s in OPEN_FOR_PLAN]),
                in_scope_of(Organization.community_id, Organization.social_worker_id),
            )
            .group_by(Organization.social_worker_id)
        ).all()
    )
