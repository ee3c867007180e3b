"""Importing organizations from Excel, as the volunteer roster is imported: every
row is checked and shown in a report, nothing is saved until the user confirms,
then every valid row is registered through ``services.create_organization`` or
none (each row is checked again by the service as it is saved).

A social worker imports only into the communities of her scope. The leader's
name and phone have no field of their own on an organization (its leader is an
account, ``leader_user_id``): the name goes at the top of the description,
prefixed ``负责人：`` (viewers see the leader as the contact anyway), the phone
into a case note, which only staff read (a phone is never shown to a viewer).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.models import Community, Compound
from incubator.community.scope import in_scope, may_see_community
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.import_batches import (
    ImportBatch,
    RowResult,
    alias_key,
    close_batch,
    fill_batch,
    label_aliases,
    purge_stale,
    read_template_rows,
)
from incubator.normalize import name_key
from incubator.organizations import records, services
from incubator.organizations.models import (
    FILING_STATUS_LABELS,
    ORG_KIND_LABELS,
    Organization,
)
from incubator.organizations.schemas import OrganizationRegistration
from incubator.spreadsheets import (
    date_cell_value,
    read_cells,
    template_bytes,
)

KIND = "organizations"
IMPORTERS = (Role.ADMIN, Role.SOCIAL_WORKER)
MAX_ROWS = 2_000
EXAMPLE_MARK = "示例"
LEADER_PREFIX = "负责人："

# (header, key, required)
COLUMNS = (
    ("组织名称", "name", True),
    ("类型", "kind", True),
    ("社区", "community", False),
    ("小区", "compound", False),
    ("负责人姓名", "leader_name", False),
    ("负责人电话", "leader_phone", False),
    ("成立日期", "founded_on", False),
    ("备案状态", "filing_status", False),
    ("联系社工", "social_worker", False),
)
HEADERS = {header: key for header, key, _r in COLUMNS}
# What agencies' own spreadsheets call the kinds, besides their labels.
KIND_ALIASES = {
    "文体类": "culture_sports",
    "文体": "culture_sports",
    "公益类": "charity",
    "慈善类": "charity",
    "公益": "charity",
    "生活服务类": "life_service",
    "社区事务类": "community_affairs",
    "志愿服务类": "volunteer",
    "志愿者": "volunteer",
    "其他类": "other",
}
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,19}")


def _label(key: str) -> str:
    return next(h for h, k, _r in COLUMNS if k == key)


def template_workbook() -> bytes:
    return template_bytes(
        "社区社会组织",
        COLUMNS,
        [
            f"{EXAMPLE_MARK}：夕阳红舞蹈队",
            "文体娱乐",
            "",
            "",
            "张三",
            "13800138000",
            "2024-03-01",
            "未备案",
            "",
        ],
        text_keys=("leader_phone",),
        notes=(
            "带 * 的列必须填写；第一行是表头，请勿修改。",
            f"第二行是填写示例：组织名称含“{EXAMPLE_MARK}”二字的行导入时总是跳过。",
            "类型填 "
            + "、".join(str(label) for label in ORG_KIND_LABELS.values())
            + "；备案状态填 "
            + "、".join(str(label) for label in FILING_STATUS_LABELS.values())
            + "，默认未备案。",
            "社区填社区名称；系统中只有一个社区时可以不填。小区须是该社区的小区。",
            "联系社工填社工的用户名或姓名；不填时社工导入的组织由本人联系。",
            "负责人姓名写在组织简介的开头；电话记入个案记录，仅工作人员可见。",
        ),
    )


class _Context:
    """What checking the rows needs from the database, read once per file."""

    def __init__(self, actor: User):
        self.actor = actor
        communities = db.session.scalars(
            select(Community).where(
                Community.archived_at.is_(None), in_scope(Community.id, actor)
            )
        ).all()
        self.communities = {c.name: c.id for c in communities}
        self.all_communities = {
            c.name: c.id
            for c in db.session.scalars(
                select(Community).where(Community.archived_at.is_(None))
            )
        }
        self.compounds: dict[tuple[int, str], int] = {}
        self.compound_names: set[str] = set()
        for compound in db.session.scalars(
            select(Compound).where(Compound.archived_at.is_(None))
        ):
            self.compounds[(compound.community_id, compound.name)] = compound.id
            self.compound_names.add(compound.name)
        self.taken = set(
            db.session.execute(
                select(Organization.community_id, Organization.name_key)
            ).all()
        )
        self.workers: dict[str, list[int]] = {}
        for user in db.session.scalars(
            select(User).where(
                User.active.is_(True),
                User.role.in_([Role.SOCIAL_WORKER.value, Role.ADMIN.value]),
            )
        ):
            self.workers.setdefault(user.username.casefold(), []).append(user.id)
            if user.name.casefold() != user.username.casefold():
                self.workers.setdefault(user.name.casefold(), []).append(user.id)
        self.kinds = label_aliases(ORG_KIND_LABELS)
        self.kinds.update(KIND_ALIASES)
        self.statuses = label_aliases(FILING_STATUS_LABELS)
        self.seen: dict[tuple[int, str], int] = {}


def _check_row(line: int, cells: dict, ctx: _Context) -> RowResult:
    errors: list[str] = []
    values: dict = {}
    name = " ".join(str(cells.get("name") or "").split())
    if not name:
        errors.append(_("%(col)s is required.", col=_label("name")))
    kind_text = str(cells.get("kind") or "").strip()
    kind = alias_key(ctx.kinds, kind_text)
    if kind is None:
        errors.append(
            _("Unknown kind %(value)s.", value=kind_text)
            if kind_text
            else _("%(col)s is required.", col=_label("kind"))
        )
    status_text = str(cells.get("filing_status") or "").strip()
    status = alias_key(ctx.statuses, status_text) if status_text else "none"
    if status is None:
        errors.append(_("Unknown filing status %(value)s.", value=status_text))
    community_id = _community(cells, ctx, errors)
    compound_name = " ".join(str(cells.get("compound") or "").split())
    compound_id = None
    if compound_name and community_id is not None:
        compound_id = ctx.compounds.get((community_id, compound_name))
        if compound_id is None:
            errors.append(
                _(
                    "Compound %(name)s belongs to another community.",
                    name=compound_name,
                )
                if compound_name in ctx.compound_names
                else _("Unknown compound %(name)s.", name=compound_name)
            )
    try:
        founded_on = date_cell_value(cells.get("founded_on"))
    except ValueError:
        founded_on = None
        errors.append(
            _("%(col)s is not a date (2024-03-01).", col=_label("founded_on"))
        )
    if founded_on and founded_on > local_today():
        errors.append(_("%(col)s cannot be in the future.", col=_label("founded_on")))
    worker_id = _social_worker(cells, ctx, errors)
    leader = " ".join(str(cells.get("leader_name") or "").split())
    phone = str(cells.get("leader_phone") or "").strip()
    if phone and not PHONE.fullmatch(phone):
        errors.append(_("%(col)s is not a phone number.", col=_label("leader_phone")))
    description = ""
    if leader:
        description = LEADER_PREFIX + leader
    if not errors:
        values = {
            "name": name,
            "kind": kind,
            "community_id": community_id,
            "compound_id": compound_id,
            "founded_on": founded_on,
            "filing_status": status,
            "social_worker_id": worker_id,
            "description": description,
            "leader_phone": phone,
        }
        try:
            clean = OrganizationRegistration(
                **{
                    k: v
                    for k, v in values.items()
                    if k not in ("community_id", "leader_phone")
                }
            )
        except DomainError as exc:
            errors.append(str(exc.message))
        except ValueError as exc:  # pydantic's own checks (lengths)
            errors.append(str(exc).splitlines()[-1])
        else:
            values["name"] = clean.name
    if not errors and community_id is not None:
        key = (community_id, name_key(values["name"])[:200])
        if key in ctx.taken:
            errors.append(
                _("An organization named %(name)s already exists.", name=name)
            )
        elif key in ctx.seen:
            errors.append(
                _("Same name as row %(line)d of this file.", line=ctx.seen[key])
            )
        else:
            ctx.seen[key] = line
    return RowResult(line=line, errors=errors, values={} if errors else values)


def _community(cells: dict, ctx: _Context, errors: list[str]) -> int | None:
    text = " ".join(str(cells.get("community") or "").split())
    if not text:
        if len(ctx.communities) == 1:
            return next(iter(ctx.communities.values()))
        errors.append(_("%(col)s is required.", col=_label("community")))
        return None
    if text in ctx.communities:
        return ctx.communities[text]
    if text in ctx.all_communities:
        errors.append(_("Community %(name)s is outside your scope.", name=text))
    else:
        errors.append(_("Unknown community %(name)s.", name=text))
    return None


def _social_worker(cells: dict, ctx: _Context, errors: list[str]) -> int | None:
    text = str(cells.get("social_worker") or "").strip()
    if not text:
        if ctx.actor.role == Role.SOCIAL_WORKER:
            return ctx.actor.id
        return None
    found = sorted(set(ctx.workers.get(text.casefold(), [])))
    if not found:
        errors.append(_("Unknown social worker %(name)s.", name=text))
        return None
    if len(found) > 1:
        errors.append(
            _("Several accounts are named %(name)s; use the username.", name=text)
        )
        return None
    return found[0]


def parse_organizations(data: bytes, *, actor: User) -> list[RowResult]:
    """Read and check every row of the first sheet holding the template's header;
    one ``RowResult`` per non-empty row (``example=True`` for the template's
    example). Nothing is saved. Raises ``ValidationFailed`` (field ``file``) for a
    file that is not an .xlsx workbook, has no header, or has too many rows."""
    return read_template_rows(
        data,
        COLUMNS,
        HEADERS,
        lambda rows, keys, line: _parse_rows(rows, keys, line, _Context(actor)),
    )


def _parse_rows(rows, keys, header_line: int, ctx: _Context) -> list[RowResult]:
    results: list[RowResult] = []
    for line, raw in enumerate(rows, start=header_line + 1):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        if len(results) >= MAX_ROWS:
            raise ValidationFailed(
                _l("At most %(n)d rows per file.", n=MAX_ROWS), field="file"
            )
        cells, unreadable = read_cells(
            keys, raw, date_keys=("founded_on",), label=_label
        )
        name = " ".join(str(cells.get("name") or "").split())
        if EXAMPLE_MARK in name:
            results.append(RowResult(line, [], {}, name=name[:32], example=True))
            continue
        result = (
            RowResult(line=line, errors=unreadable, values={})
            if unreadable
            else _check_row(line, cells, ctx)
        )
        result.name = name[:32]
        results.append(result)
    return results


def _check_actor(actor: User) -> None:
    if actor.role not in {r.value for r in IMPORTERS}:
        raise ValidationFailed(_l("You may not import organizations."))


def prepare_import(data: bytes, filename: str, *, actor: User) -> ImportBatch:
    """Check the file and keep its rows as a pending import (see
    ``incubator.import_batches.fill_batch``); nothing else is saved."""
    _check_actor(actor)
    purge_stale(ImportBatch, ImportBatch.kind == KIND)
    results = parse_organizations(data, actor=actor)
    batch = fill_batch(
        ImportBatch(kind=KIND, created_by_id=actor.id), results, filename
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def confirm_import(batch: ImportBatch, *, actor: User) -> list[Organization]:
    """Register every row of ``batch`` or none: each is checked again by the
    service as it is saved (a name taken meanwhile, a compound archived, a
    community left the actor's scope); the first refusal raises
    ``ValidationFailed`` naming its row, and the caller rolls back. Flushes,
    never commits; returns the organizations."""
    if (
        batch.kind != KIND
        or batch.status != "pending"
        or batch.created_by_id != actor.id
    ):
        raise ValidationFailed(_l("This import was already confirmed or discarded."))
    _check_actor(actor)
    created: list[Organization] = []
    for row in batch.rows:
        try:
            if not may_see_community(actor, row["community_id"]):
                raise ValidationFailed(
                    _l("The community is outside your scope."), field="community_id"
                )
            registration = OrganizationRegistration(
                **{
                    k: v
                    for k, v in row.items()
                    if k not in ("line", "community_id", "leader_phone")
                }
            )
            org = services.create_organization(
                registration, actor=actor, community_id=row["community_id"]
            )
            if row.get("leader_phone"):
                records.add_case_note(
                    org,
                    actor=actor,
                    noted_on=local_today(),
                    body=_(
                        "Leader's phone (from the import): %(phone)s",
                        phone=row["leader_phone"],
                    ),
                )
            created.append(org)
        except DomainError as exc:
            raise ValidationFailed(
                _l(
                    "Row %(line)d: %(message)s Nothing was imported.",
                    line=row["line"],
                    message=exc.message,
                )
            ) from None
    close_batch(batch, "imported")
    audit.record_event(
        "import",
        "ImportBatch",
        actor=actor,
        entity_id=batch.id,
        summary=f"{len(created)} organizations",
        changes={"organization_ids": [None, [o.id for o in created]]},
    )
    db.session.flush()
    return created


def import_file(
    data: bytes, filename: str = "", *, actor: User, dry_run: bool = False
) -> tuple[ImportBatch, list[Organization]]:
    """Check ``data`` and, unless ``dry_run``, register its valid rows at once
    (the CLI). Flushes, never commits."""
    batch = prepare_import(data, filename, actor=actor)
    if dry_run:
        return batch, []
    return batch, confirm_import(batch, actor=actor)
