"""Importing user accounts from Excel (系统管理 → 用户 → 导入; ``flask --app wsgi
users import FILE``), as organizations are: every row is checked and shown in a
report, nothing is saved until the admin confirms, then every valid row is
created through ``incubator.auth.services.create_user`` with its scope
(``incubator.community.scope.set_scope``), or none.

A row without an initial password gets a generated one, shown once: on the page
that confirms the import, or in the CLI's output. Passwords typed in the file
are kept in the pending import until it is confirmed, discarded or expires (a
day), then dropped with the rest of its rows.

Accounts have no phone number: the template has 邮箱 (``User.email``) only.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth import services as user_services
from incubator.auth.cli import users_cli
from incubator.auth.models import User
from incubator.auth.passwords import check_password_policy
from incubator.auth.roles import ROLE_LABELS, Role
from incubator.auth.sessions import normalize_username
from incubator.community.models import Community
from incubator.community.scope import set_scope
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.import_batches import (
    ImportBatch,
    RowResult,
    alias_key,
    close_batch,
    echo_report,
    fill_batch,
    label_aliases,
    purge_stale,
    read_template_rows,
    split_names,
)
from incubator.spreadsheets import (
    read_cells,
    template_bytes,
)
from incubator.transaction import unit_of_work

KIND = "users"
MAX_ROWS = 1_000
EXAMPLE_MARK = "示例"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# (header, key, required)
COLUMNS = (
    ("姓名", "name", True),
    ("用户名", "username", True),
    ("角色", "role", True),
    ("邮箱", "email", False),
    ("社区", "communities", False),
    ("初始密码", "password", False),
)
HEADERS = {header: key for header, key, _r in COLUMNS}


def _label(key: str) -> str:
    return next(h for h, k, _r in COLUMNS if k == key)


def template_workbook() -> bytes:
    return template_bytes(
        "用户",
        COLUMNS,
        [f"{EXAMPLE_MARK}：张三", "zhangsan", "社工", "", "", ""],
        text_keys=("username", "password"),
        notes=(
            "带 * 的列必须填写；第一行是表头，请勿修改。",
            f"第二行是填写示例：姓名含“{EXAMPLE_MARK}”二字的行导入时总是跳过。",
            "用户名 3 到 32 个字符：小写字母、数字、点、横线或下划线。",
            "角色填 "
            + "、".join(str(label) for label in ROLE_LABELS.values())
            + "（或 admin、social_worker、org_leader、viewer）。",
            "社区填社区名称，多个用、或 , 分隔；不填表示全部社区。",
            "初始密码不填时由系统生成，只在导入完成时显示一次，请当场抄下。",
        ),
    )


class _Context:
    def __init__(self):
        self.communities = {
            c.name: c.id
            for c in db.session.scalars(
                select(Community).where(Community.archived_at.is_(None))
            )
        }
        self.taken = set(db.session.scalars(select(User.username)))
        self.roles = label_aliases(ROLE_LABELS)
        # What people call the roles besides their labels.
        self.roles.update(
            {"社工": Role.SOCIAL_WORKER.value, "管理员": Role.ADMIN.value}
        )
        self.seen: dict[str, int] = {}


def _check_row(line: int, cells: dict, ctx: _Context) -> RowResult:
    errors: list[str] = []
    name = " ".join(str(cells.get("name") or "").split())
    if not name:
        errors.append(_("%(col)s is required.", col=_label("name")))
    elif len(name) > 64:
        errors.append(_("The name may have at most %(n)d characters.", n=64))
    username = normalize_username(str(cells.get("username") or ""))
    if not username:
        errors.append(_("%(col)s is required.", col=_label("username")))
    elif not user_services.USERNAME_RE.fullmatch(username):
        errors.append(
            _(
                "A username has 3 to 32 characters: lowercase letters, digits, "
                "dot, dash or underscore, starting with a letter or digit."
            )
        )
    elif username in ctx.taken:
        errors.append(_("The username %(u)s is already taken.", u=username))
    elif username in ctx.seen:
        errors.append(
            _("Same username as row %(line)d of this file.", line=ctx.seen[username])
        )
    else:
        ctx.seen[username] = line
    role_text = str(cells.get("role") or "").strip()
    role = alias_key(ctx.roles, role_text)
    if role is None:
        errors.append(
            _("Unknown role %(value)s.", value=role_text)
            if role_text
            else _("%(col)s is required.", col=_label("role"))
        )
    email = str(cells.get("email") or "").strip()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        errors.append(_("%(col)s is not an email address.", col=_label("email")))
    community_ids: list[int] = []
    for community in split_names(cells.get("communities")):
        if community in ctx.communities:
            community_ids.append(ctx.communities[community])
        else:
            errors.append(_("Unknown community %(name)s.", name=community))
    password = str(cells.get("password") or "")
    if password:
        try:
            check_password_policy(password, username=username)
        except DomainError as exc:
            errors.append(str(exc.message))
    values = {
        "name": name,
        "username": username,
        "role": role,
        "email": email,
        "community_ids": sorted(set(community_ids)),
        "password": password,
    }
    return RowResult(line=line, errors=errors, values={} if errors else values)


def parse_users(data: bytes) -> list[RowResult]:
    """Read and check every row of the first sheet holding the template's header.
    Nothing is saved. Raises ``ValidationFailed`` (field ``file``) as the other
    imports do."""
    return read_template_rows(
        data,
        COLUMNS,
        HEADERS,
        lambda rows, keys, line: _parse_rows(rows, keys, line, _Context()),
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
        cells, unreadable = read_cells(keys, raw, date_keys=(), label=_label)
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
    if actor.role != Role.ADMIN.value:
        raise ValidationFailed(_l("Only admins may import users."))


def prepare_import(data: bytes, filename: str, *, actor: User) -> ImportBatch:
    """Check the file and keep its rows as a pending import; nothing else is
    saved."""
    _check_actor(actor)
    purge_stale(ImportBatch, ImportBatch.kind == KIND)
    batch = fill_batch(
        ImportBatch(kind=KIND, created_by_id=actor.id), parse_users(data), filename
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def confirm_import(batch: ImportBatch, *, actor: User) -> list[tuple[User, str]]:
    """Create every row's account with its scope, or none: the first row
    ``create_user`` refuses (a username taken meanwhile) raises
    ``ValidationFailed`` naming it, and the caller rolls back. Returns each
    account with the password generated for it (``""`` when the file gave one):
    the only time it is shown. Flushes, never commits."""
    if (
        batch.kind != KIND
        or batch.status != "pending"
        or batch.created_by_id != actor.id
    ):
        raise ValidationFailed(_l("This import was already confirmed or discarded."))
    _check_actor(actor)
    open_ids = set(
        db.session.scalars(select(Community.id).where(Community.archived_at.is_(None)))
    )
    created: list[tuple[User, str]] = []
    for row in batch.rows:
        generated = "" if row["password"] else secrets.token_urlsafe(9)
        try:
            if not set(row["community_ids"]) <= open_ids:
                raise ValidationFailed(_l("Unknown community."), field="community_ids")
            user = user_services.create_user(
                row["username"],
                name=row["name"],
                role=row["role"],
                password=row["password"] or generated,
                actor=actor,
            )
        except DomainError as exc:
            raise ValidationFailed(
                _l(
                    "Row %(line)d: %(message)s Nothing was imported.",
                    line=row["line"],
                    message=exc.message,
                )
            ) from None
        user.email = row["email"]
        set_scope(user, row["community_ids"])
        created.append((user, generated))
    close_batch(batch, "imported")
    db.session.flush()
    audit.record_event(
        "import",
        "ImportBatch",
        actor=actor,
        entity_id=batch.id,
        summary=f"{len(created)} users",
        changes={
            "users": [
                None,
                [
                    {
                        "id": user.id,
                        "email": user.email,
                        "community_scope": user.community_scope,
                    }
                    for user, _p in created
                ],
            ]
        },
    )
    return created


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the rows; save nothing.")
def users_import(file: Path, dry_run: bool):
    """Create the accounts of FILE (the 系统管理 → 用户 → 导入 template): every
    valid row, or none if one is refused when saving. Generated passwords are
    printed once."""
    actor = db.session.scalar(
        select(User)
        .where(User.active.is_(True), User.role == Role.ADMIN.value)
        .order_by(User.community_scope, User.id)
        .limit(1)
    )
    if actor is None:
        raise click.ClickException("No active admin.")
    created: list[tuple[User, str]] = []
    try:
        with unit_of_work():
            batch = prepare_import(file.read_bytes(), file.name, actor=actor)
            echo_report(batch, click.echo)
            if dry_run:
                db.session.rollback()
            else:
                created = confirm_import(batch, actor=actor)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    if dry_run:
        click.echo(f"Dry run: {batch.valid_rows} rows would be imported.")
        return
    for user, generated in created:
        if generated:
            click.echo(f"{user.username}\t{generated}")
    click.echo(f"Imported {len(created)} users.")
