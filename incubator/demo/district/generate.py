"""The district generator: every table filled in bulk (SQLAlchemy Core inserts of a
few thousand rows at a time), with the values the services would have written.

Rows get explicit ids (after the table's highest), so children name their parents
without a round trip; PostgreSQL's sequences are moved past them at the end. One
``random.Random(seed)`` draws everything, in a fixed order, so one scale, seed and
day give the same district. Only the per-organization and per-volunteer facts
(a few tens of thousands of small tuples at 1.0) stay in memory; the big tables
are generated and written chunk by chunk.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select, text

from incubator.activities.models import (
    Activity,
    ActivityEvent,
    ActivityVolunteer,
    ResourceLink,
)
from incubator.auth.models import User
from incubator.auth.passwords import hash_password
from incubator.bookings.models import Booking
from incubator.community.models import Community, Compound, Room, user_community
from incubator.demo.centre.data import ROOMS
from incubator.demo.district import DISTRICT_PASSWORD
from incubator.demo.seed import DEMO_INDICATORS
from incubator.demo.volunteers import GIVEN, SERVICES, SKILLS, SURNAMES
from incubator.extensions import db
from incubator.followups.models import FollowUp
from incubator.i18n import local_today, local_zone
from incubator.normalize import name_key
from incubator.organizations.incubation import DEFAULT_DIMENSIONS, DEFAULT_STAGES
from incubator.organizations.models import Organization, StageChange
from incubator.periods import months_before
from incubator.projects.models import Indicator, Project
from incubator.sessions.models import SessionInvite, TrainingSession
from incubator.signins.identity import encrypt_phone, mask, resident_key
from incubator.signins.models import Resident, SignIn
from incubator.transaction import commit_now
from incubator.ventures.models import (
    BudgetLine,
    RoundCriterion,
    Venture,
    VentureEvent,
    VentureRound,
)
from incubator.volunteers.models import (
    Membership,
    ServiceRecord,
    Volunteer,
    VolunteerSkill,
)

# Sizes at scale 1.0 (issue 18); each scales linearly, at least 1.
BASE = {
    "streets": 8,
    "communities": 60,
    "organizations": 2_000,
    "social_workers": 100,
    "volunteers": 40_000,
    "activities": 300_000,
    "service_records": 600_000,
    "resources": 20_000,
    "sessions": 2_000,
    "followups": 20_000,
    "rounds": 6,
    "ventures": 500,
    "bookings": 30_000,
    "residents": 20_000,
    "sign_ins": 100_000,
}
YEARS = 3
CHUNK = 5_000
VOLUNTEERS_PER_ACTIVITY = 2

STREETS = (
    "禾山街道",
    "江头街道",
    "金山街道",
    "湖里街道",
    "殿前街道",
    "五缘湾街道",
    "新丰街道",
    "高崎街道",
)
COMMUNITY_WORDS = (
    "枋湖",
    "后坑",
    "钟宅",
    "园山",
    "坂尚",
    "围里",
    "禾盛",
    "林边",
    "寨上",
    "湖边",
    "金尚",
    "泗水",
    "穆厝",
    "岭下",
    "吕厝",
    "高林",
    "五通",
    "浦园",
    "兴隆",
    "塘边",
)
COMPOUND_WORDS = ("花园", "新村", "小区", "公寓", "家园", "雅苑", "名城", "里")
AGENCIES = (
    "厦门市同心社工服务中心",
    "湖里区启航社会工作服务社",
    "厦门市和谐家园社工事务所",
    "湖里区益心社区发展中心",
)
KINDS = (
    ("culture_sports", 30),
    ("charity", 20),
    ("life_service", 18),
    ("community_affairs", 12),
    ("volunteer", 15),
    ("other", 5),
)
KIND_NAMES = {
    "culture_sports": ("舞蹈队", "合唱团", "书法协会", "太极队", "读书会", "腰鼓队"),
    "charity": ("长者关爱小组", "爱心妈妈团", "助残服务队", "亲子绘本馆"),
    "life_service": ("便民维修队", "邻里互助社", "义剪服务队", "爱心厨房"),
    "community_affairs": ("环保先锋队", "议事会", "垃圾分类督导队", "楼道自治小组"),
    "volunteer": ("平安巡逻队", "志愿服务队", "防诈宣传队", "应急救援队"),
    "other": ("兴趣小组", "邻里中心"),
}
TARGETS = {
    "culture_sports": (("all_residents", 4), ("elders", 4), ("women", 2)),
    "charity": (("elders", 5), ("children", 3), ("special", 2)),
    "life_service": (("all_residents", 6), ("elders", 3)),
    "community_affairs": (("all_residents", 8), ("youth", 1)),
    "volunteer": (("all_residents", 7), ("youth", 2)),
    "other": (("all_residents", 5), ("children", 2), ("youth", 2)),
}
FORMS = (
    ("group", 35),
    ("community", 30),
    ("training", 10),
    ("meeting", 10),
    ("case", 5),
    ("other", 10),
)
SERVICE_TYPES = (
    ("self_org_service", 45),
    ("public_class", 10),
    ("science", 6),
    ("academy", 6),
    ("party_training", 4),
    ("capacity", 5),
    ("routine_training", 14),
    ("resource_sharing", 4),
    ("other", 6),
)
FORM_WORDS = {
    "group": "小组活动",
    "community": "社区活动",
    "training": "培训",
    "meeting": "例会",
    "case": "个案服务",
    "other": "活动",
}
STAGE_SHARES = (
    ("intake", 12),
    ("incubating", 25),
    ("cultivating", 25),
    ("self_governing", 18),
    ("graduated", 10),
    ("dormant", 10),
)
STAGE_ACTIVITY = {
    "intake": 0.4,
    "incubating": 0.8,
    "cultivating": 1.2,
    "self_governing": 1.5,
    "graduated": 1.3,
    "dormant": 0.15,
}
LINE = ("intake", "incubating", "cultivating", "self_governing", "graduated")
RETURN_REASONS = (
    "请补充活动照片。",
    "参与人次与签到表不一致，请核对。",
    "活动内容描述过于简单，请补充过程和成效。",
    "志愿者服务时长超过活动时长，请修改。",
    "活动时间填写有误，请核对后重新提交。",
)
PARTNERS = (
    "辖区爱心企业",
    "社区卫生服务中心",
    "区慈善总会",
    "物业服务中心",
    "共建单位党支部",
    "社区商户联盟",
    "高校志愿者协会",
    "区图书馆",
)
RESOURCE_KINDS = (("money", 2), ("goods", 4), ("venue", 2), ("professional", 2))
SESSION_TITLES = (
    "社区社会组织规范化管理",
    "活动策划与执行",
    "志愿者招募与激励",
    "项目书撰写",
    "财务管理基础",
    "骨干领导力提升",
    "资源链接与社区参与",
)
CRITERIA = (
    ("需求契合度", 30),
    ("方案可行性", 30),
    ("预算合理性", 20),
    ("组织能力", 20),
)
FOLLOWUP_KINDS = ("visit", "phone", "supervision", "meeting")
OUTCOMES = (
    "了解近期活动情况，骨干分工清晰。",
    "协助梳理年度计划。",
    "提醒按时提交活动记录。",
    "指导填写创投申请书。",
    "反馈居民意见，约定下次走访时间。",
)
# Chinese New Year's days around the three years the district covers.
SPRING_FESTIVALS = (
    date(2022, 2, 1),
    date(2023, 1, 22),
    date(2024, 2, 10),
    date(2025, 1, 29),
    date(2026, 2, 17),
    date(2027, 2, 6),
    date(2028, 1, 26),
    date(2029, 2, 13),
)
MONTH_WEIGHT = {
    1: 0.85,
    2: 0.8,
    3: 1.2,
    4: 1.3,
    5: 1.25,
    6: 1.0,
    7: 0.85,
    8: 0.85,
    9: 1.2,
    10: 1.15,
    11: 1.25,
    12: 1.0,
}
WEEKDAY_WEIGHT = (0.9, 0.9, 0.9, 0.9, 0.95, 1.5, 1.3)
STARTS = (
    time(9),
    time(9, 30),
    time(10),
    time(14, 30),
    time(15),
    time(19),
    time(19, 30),
)
MINUTES = (60, 90, 90, 120, 120, 150, 180)
BOOKING_SLOTS = ((time(9), 120), (time(14, 30), 120), (time(19), 120))


def scaled(scale: float) -> dict[str, int]:
    """``{kind: count}`` at ``scale``: the counts of ``BASE`` times ``scale``,
    rounded, at least 1 each (two volunteers per organization at least)."""
    sizes = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    sizes["communities"] = max(sizes["communities"], sizes["streets"])
    sizes["volunteers"] = max(sizes["volunteers"], 3 * sizes["organizations"])
    return sizes


@dataclass
class Org:
    id: int
    community_id: int
    compound_id: int
    kind: str
    stage: str
    filing: str
    created: datetime
    first_day: date  # the first day it may have activities (local)
    weight: float
    sw_id: int
    leader_id: int
    name: str
    roster: list[int] = field(default_factory=list)


class Writer:
    """Buffers rows per table and inserts them in chunks, parents before
    children; keeps the rows and seconds per table for the summary."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.order: list[Table] = [
            t.__table__ if hasattr(t, "__table__") else t
            for t in (
                Community,
                Compound,
                Room,
                User,
                user_community,
                Project,
                Indicator,
                Organization,
                StageChange,
                Volunteer,
                VolunteerSkill,
                Membership,
                Resident,
                Activity,
                ServiceRecord,
                ActivityVolunteer,
                ActivityEvent,
                ResourceLink,
                TrainingSession,
                SessionInvite,
                Booking,
                SignIn,
                FollowUp,
                VentureRound,
                RoundCriterion,
                Venture,
                BudgetLine,
                VentureEvent,
            )
        ]
        self.buffers: dict[Table, list[dict]] = {t: [] for t in self.order}
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.next_ids: dict[Table, int] = {}
        # PostgreSQL: COPY; an INSERT per row (psycopg's executemany) took
        # 400 s at scale 1.0, batched VALUES lists longer still.
        self.copy = db.session.get_bind().dialect.name == "postgresql"
        self.checked_after = self.copy and bool(
            db.session.scalar(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            )
        )

    def ids(self, model, count: int) -> range:
        """``count`` fresh ids of ``model``'s table, after its highest."""
        table = model.__table__
        if table not in self.next_ids:
            top = db.session.scalar(select(func.max(table.c.id))) or 0
            self.next_ids[table] = top + 1
        first = self.next_ids[table]
        self.next_ids[table] = first + count
        return range(first, first + count)

    def new_id(self, model) -> int:
        return self.ids(model, 1)[0]

    def add(self, model, row: dict) -> None:
        table = model.__table__ if hasattr(model, "__table__") else model
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table in self.order:
            rows = self.buffers[table]
            if not rows:
                continue
            started = clock.perf_counter()
            if self.copy:
                _copy(table, rows, checked_after=self.checked_after)
            else:
                db.session.execute(insert(table), rows)
            self.seconds[table.name] += clock.perf_counter() - started
            self.rows[table.name] += len(rows)
            self.buffers[table] = []

    def commit(self, phase: str, started: float) -> None:
        self.flush()
        commit_now()  # each step its own transaction (see README)
        self.echo(f"  {phase:<34} {clock.perf_counter() - started:6.1f} s")


def _copy(table: Table, rows: list[dict], *, checked_after: bool) -> None:
    """Write ``rows`` (dicts with the same keys) into ``table`` by PostgreSQL's
    COPY, inside the session's transaction. Values go as psycopg adapts them
    (aware datetimes, dates, times, Decimals, booleans); JSON columns are
    serialized here. With ``checked_after`` the foreign keys' triggers are off
    for the transaction (``session_replication_role``, a superuser's setting):
    ``check_foreign_keys`` checks every row in one query per key afterwards, as
    a restore does, at a fraction of a check per row. Checks, unique and
    exclusion constraints are enforced as ever."""
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    session_connection = db.session.connection()
    if checked_after:
        session_connection.exec_driver_sql(
            "SET LOCAL session_replication_role = replica"
        )
    connection = session_connection.connection.driver_connection
    assert connection is not None  # a live psycopg connection of the session
    with connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c], ensure_ascii=False)
                        if c in as_json
                        else row[c]
                        for c in columns
                    ]
                )


def check_foreign_keys(tables: list[Table]) -> None:
    """Every foreign key of ``tables`` names an existing row: one anti-join per
    key. Raises ``RuntimeError`` naming the key and how many rows break it."""
    for table in tables:
        for key in table.foreign_keys:
            parent = key.column.table.alias()
            target = parent.c[key.column.name]
            orphans = db.session.scalar(
                select(func.count())
                .select_from(table.outerjoin(parent, key.parent == target))
                .where(key.parent.is_not(None), target.is_(None))
            )
            if orphans:
                raise RuntimeError(
                    f"{orphans} rows of {table.name}.{key.parent.name} name no "
                    f"{key.column.table.name} row"
                )


class District:
    """One generation run; ``run()`` does it all."""

    def __init__(self, scale: float, seed: int, echo: Callable[[str], None]):
        self.scale = scale
        self.sizes = scaled(scale)
        self.rng = random.Random(seed)
        self.echo = echo
        self.out = Writer(echo)
        self.zone = local_zone()
        self.today = local_today()
        self.now = datetime.now(UTC)
        self.first_day = self.today - timedelta(days=365 * YEARS)
        self.window_start = self._at(self.first_day, time(0))
        self.labels = {s.key: s.label_zh for s in DEFAULT_STAGES}

    # -- helpers -----------------------------------------------------------

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def _before_now(self, moment: datetime) -> datetime:
        return min(moment, self.now)

    def _weighted(self, pairs) -> tuple[list, list[float]]:
        values = [v for v, _w in pairs]
        cum, total = [], 0.0
        for _v, w in pairs:
            total += w
            cum.append(total)
        return values, cum

    def _pick(self, values: list, cum: list[float]):
        return values[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    # -- the run -----------------------------------------------------------

    def run(self) -> dict[str, tuple[int, float]]:
        """Fill the database; returns ``{table: (rows inserted, seconds spent
        inserting them)}``."""
        total = clock.perf_counter()
        dialect = db.session.get_bind().dialect.name
        if dialect == "sqlite":
            db.session.execute(text("PRAGMA cache_size = -200000"))
        for step, phase in (
            (self.places, "communities, compounds, rooms"),
            (self.users, "users and scopes"),
            (self.projects, "projects and indicators"),
            (self.organizations, "organizations and stages"),
            (self.volunteers, "volunteers and memberships"),
            (self.residents, "residents"),
            (self.activities, "activities, hours, sign-ins"),
            (self.loose_hours, "service records (not from logs)"),
            (self.loose_resources, "resource lines (not from logs)"),
            (self.sessions, "capacity-building sessions"),
            (self.bookings, "room bookings"),
            (self.followups, "follow-ups"),
            (self.ventures, "micro-venture rounds"),
        ):
            started = clock.perf_counter()
            step()
            self.out.commit(phase, started)
        started = clock.perf_counter()
        if self.out.checked_after:
            check_foreign_keys([t for t in self.out.order if self.out.rows[t.name]])
            self.echo(
                f"  {'foreign keys checked':<34} "
                f"{clock.perf_counter() - started:6.1f} s"
            )
            started = clock.perf_counter()
        self.finish(dialect)
        self.echo(
            f"  {'last sign-ins, ANALYZE':<34} {clock.perf_counter() - started:6.1f} s"
        )
        self.echo(f"Done in {clock.perf_counter() - total:.1f} s.")
        return {t: (n, self.out.seconds[t]) for t, n in self.out.rows.items()}

    # -- places ------------------------------------------------------------

    def places(self) -> None:
        rng, out = self.rng, self.out
        n_streets, n_comm = self.sizes["streets"], self.sizes["communities"]
        comm_ids = out.ids(Community, n_comm)
        self.streets: list[list[int]] = [[] for _ in range(n_streets)]
        # Communities of different sizes: a few large, many small.
        self.community_weight = {cid: rng.lognormvariate(0, 0.55) for cid in comm_ids}
        self.compounds: dict[int, list[int]] = {}
        self.rooms: dict[int, list[tuple[int, Any]]] = {}
        for n, cid in enumerate(comm_ids):
            street = n % n_streets
            self.streets[street].append(cid)
            word = COMMUNITY_WORDS[n % len(COMMUNITY_WORDS)]
            name = f"{word}社区" if n < len(COMMUNITY_WORDS) else f"{word}{n + 1}社区"
            out.add(
                Community,
                {
                    "id": cid,
                    "name": name,
                    "street": STREETS[street % len(STREETS)]
                    + ("" if street < len(STREETS) else str(street + 1)),
                    "district": "湖里区",
                    "city": "厦门市",
                    "position": n,
                    "archived_at": None,
                    "created_at": self.window_start - timedelta(days=400),
                },
            )
            count = max(2, round(3 + self.community_weight[cid] * 4))
            ids = list(out.ids(Compound, count))
            self.compounds[cid] = ids
            for p, kid in enumerate(ids):
                out.add(
                    Compound,
                    {
                        "id": kid,
                        "community_id": cid,
                        "name": f"{rng.choice(COMMUNITY_WORDS)}"
                        f"{rng.choice(COMPOUND_WORDS)}{p + 1}期",
                        "position": p,
                        "archived_at": None,
                    },
                )
            specs = rng.sample(ROOMS, min(len(ROOMS), rng.randint(2, 4)))
            rooms = []
            for p, spec in enumerate(specs):
                rid = out.new_id(Room)
                rooms.append((rid, spec))
                out.add(
                    Room,
                    {
                        "id": rid,
                        "community_id": cid,
                        "name": spec.name,
                        "capacity": spec.capacity,
                        "equipment": spec.equipment,
                        "needs_approval": spec.needs_approval,
                        "opens_at": spec.opens,
                        "closes_at": spec.closes,
                        "position": p,
                        "archived_at": None,
                    },
                )
            self.rooms[cid] = rooms
        self.community_ids = list(comm_ids)

    # -- users -------------------------------------------------------------

    def users(self) -> None:
        """Admins, social workers (each scoped to their caseload's communities,
        set after the organizations), street and district viewers; leaders are
        made with their organizations."""
        self.password_hash = hash_password(DISTRICT_PASSWORD)
        self.user_rows: dict[int, dict] = {}
        self.admin_id = self._user("admin", "陈主管", "admin", [])
        self._user("admin_2", "郑主任", "admin", [])
        self.sw_ids = [
            self._user(f"sw_{n + 1:04d}", self._name(), "social_worker", None)
            for n in range(self.sizes["social_workers"])
        ]
        for n, street in enumerate(self.streets):
            self._user(f"viewer_street_{n + 1:02d}", "街道观察员", "viewer", street)
        self._user("district_viewer", "区民政局观察员", "viewer", [])
        # Written with the organizations, once the caseloads give their scopes.

    def _user(self, username: str, name: str, role: str, scope) -> int:
        uid = self.out.new_id(User)
        created = self.window_start - timedelta(days=30)
        self.user_rows[uid] = {
            "id": uid,
            "username": username,
            "name": name,
            "email": "",
            "role": role,
            "password_hash": self.password_hash,
            "active": True,
            "created_at": created,
            "password_changed_at": created,
            "last_login_at": None,
            "version": 1,
            "community_scope": "",
            "large_text": False,
            "_scope": scope,
        }
        return uid

    def _write_users(self) -> None:
        for uid, row in self.user_rows.items():
            scope = sorted(set(row.pop("_scope") or ()))
            row["community_scope"] = ",".join(str(c) for c in scope)
            self.out.add(User, row)
            for cid in scope:
                self.out.add(user_community, {"user_id": uid, "community_id": cid})
        self.out.flush()

    # -- projects ----------------------------------------------------------

    def projects(self) -> None:
        out = self.out
        starts = months_before(self.today.replace(day=1), 11)
        ends = months_before(starts, -12) - timedelta(days=1)
        share_total = sum(self.community_weight.values())
        for n, cid in enumerate(self.community_ids):
            pid = out.new_id(Project)
            share = self.community_weight[cid] / share_total * 60 * self.scale
            share = max(share, 0.05)
            out.add(
                Project,
                {
                    "id": pid,
                    "name": f"社区社会组织培育发展项目（{n + 1:02d}）",
                    "agency": AGENCIES[n % len(AGENCIES)],
                    "community_id": cid,
                    "year": 1 + n % 3,
                    "kind": "single",
                    "renewal": n % 3 > 0,
                    "budget": Decimal("200000.00"),
                    "starts_on": starts,
                    "ends_on": ends,
                    "description": "孵化培育社区社会组织，提升社区治理水平。",
                    "created_at": self._at(starts, time(9)),
                },
            )
            for position, (metric, target) in enumerate(DEMO_INDICATORS):
                value = max(1, round(Decimal(target) * Decimal(str(share)) * 3))
                out.add(
                    Indicator,
                    {
                        "id": out.new_id(Indicator),
                        "project_id": pid,
                        "metric": metric,
                        "target": Decimal(value),
                        "position": position,
                    },
                )

    # -- organizations -----------------------------------------------------

    def organizations(self) -> None:
        rng, out, sizes = self.rng, self.out, self.sizes
        n_orgs = sizes["organizations"]
        comms, cum = self._weighted(list(self.community_weight.items()))
        kinds, kind_cum = self._weighted(KINDS)
        stages, stage_cum = self._weighted(STAGE_SHARES)
        per_comm: dict[int, int] = {cid: 1 for cid in self.community_ids[:n_orgs]}
        for _ in range(n_orgs - len(per_comm)):
            cid = self._pick(comms, cum)
            per_comm[cid] = per_comm.get(cid, 0) + 1
        org_ids = iter(out.ids(Organization, n_orgs))
        leader_base = len(self.user_rows)
        self.orgs: list[Org] = []
        names_used: set[tuple[int, str]] = set()
        for cid in self.community_ids:
            for _ in range(per_comm.get(cid, 0)):
                oid = next(org_ids)
                kind = self._pick(kinds, kind_cum)
                stage = self._pick(stages, stage_cum)
                compound = rng.choice(self.compounds[cid])
                base = rng.choice(KIND_NAMES[kind])
                word = rng.choice(COMMUNITY_WORDS)
                name = f"{word}{base}"
                n = 2
                while (cid, name_key(name)) in names_used:
                    name = f"{word}{base}{n}"
                    n += 1
                names_used.add((cid, name_key(name)))
                # 70% founded before the three years, the rest during them.
                if rng.random() < 0.7:
                    created = self.window_start - timedelta(days=rng.randint(30, 1500))
                else:
                    created = self.window_start + timedelta(
                        days=rng.randint(0, 365 * YEARS - 60)
                    )
                created = created.replace(hour=2, minute=rng.randint(0, 59))
                first = max(self.first_day, created.astimezone(self.zone).date())
                leader_id = self._user(
                    f"leader_{len(self.orgs) + 1:04d}", self._name(), "org_leader", []
                )
                org = Org(
                    id=oid,
                    community_id=cid,
                    compound_id=compound,
                    kind=kind,
                    stage=stage,
                    filing=rng.choice(("none", "none", "filed", "filed", "registered")),
                    created=created,
                    first_day=first + timedelta(days=1),
                    weight=rng.lognormvariate(0, 0.8) * STAGE_ACTIVITY[stage],
                    sw_id=0,
                    leader_id=leader_id,
                    name=name,
                )
                self.orgs.append(org)
        del leader_base
        self._caseloads()
        self._write_users()
        for org in self.orgs:
            self._organization_rows(org)

    def _caseloads(self) -> None:
        """Social workers take contiguous runs of organizations (ordered by
        community), of varied sizes around the mean; their scope is the
        communities of their run."""
        rng = self.rng
        n_sw, n_orgs = len(self.sw_ids), len(self.orgs)
        weights = [rng.uniform(0.6, 1.4) for _ in range(n_sw)]
        # The first social worker (the bench's) has a typical caseload.
        weights[0] = 1.0
        total = sum(weights)
        bounds, acc = [], 0.0
        for w in weights:
            acc += w
            bounds.append(round(acc / total * n_orgs))
        start = 0
        for sw_id, end in zip(self.sw_ids, bounds, strict=True):
            end = max(end, start + 1) if start < n_orgs else start
            run = self.orgs[start:end] or [self.orgs[start % n_orgs]]
            for org in run:
                org.sw_id = sw_id
            self.user_rows[sw_id]["_scope"] = [o.community_id for o in run]
            start = end
        for org in self.orgs[start:]:
            org.sw_id = self.sw_ids[-1]
            self.user_rows[org.sw_id]["_scope"].append(org.community_id)
        self.sws_of: dict[int, list[int]] = defaultdict(list)
        for org in self.orgs:
            if org.sw_id not in self.sws_of[org.community_id]:
                self.sws_of[org.community_id].append(org.sw_id)
        self.orgs_of: dict[int, list[Org]] = defaultdict(list)
        for org in self.orgs:
            self.orgs_of[org.community_id].append(org)

    def _organization_rows(self, org: Org) -> None:
        rng, out = self.rng, self.out
        # The path of stages to where it is now, dated between creation and now.
        if org.stage == "dormant":
            path = list(LINE[1 : rng.randint(1, 3) + 1]) + ["dormant"]
        else:
            path = list(LINE[1 : LINE.index(org.stage) + 1])
        span = (self.now - org.created).total_seconds()
        marks = sorted(rng.uniform(0.05, 0.97) for _ in path)
        changes = [
            {
                "community_id": org.community_id,
                "organization_id": org.id,
                "changed_at": org.created,
                "from_stage": None,
                "to_stage": "intake",
                "from_label": "",
                "to_label": self.labels["intake"],
                "direction": "initial",
                "reason": "",
                "actor_id": org.sw_id,
            }
        ]
        previous, since, before_dormant = "intake", org.created, None
        for stage, mark in zip(path, marks, strict=True):
            at = org.created + timedelta(seconds=span * mark)
            changes.append(
                {
                    "community_id": org.community_id,
                    "organization_id": org.id,
                    "changed_at": at,
                    "from_stage": previous,
                    "to_stage": stage,
                    "from_label": self.labels[previous],
                    "to_label": self.labels[stage],
                    "direction": "dormant" if stage == "dormant" else "forward",
                    "reason": "按孵化进展调整阶段。",
                    "actor_id": org.sw_id,
                }
            )
            before_dormant = previous if stage == "dormant" else None
            previous, since = stage, at
        out.add(
            Organization,
            {
                "id": org.id,
                "community_id": org.community_id,
                "name": org.name,
                "name_key": name_key(org.name)[:200],
                "kind": org.kind,
                "compound_id": org.compound_id,
                "filing_status": org.filing,
                "founded_on": org.created.date() - timedelta(days=rng.randint(0, 300)),
                "member_count": max(3, round(rng.lognormvariate(2.9, 0.5))),
                "description": f"居民自发成立的{org.name}。",
                "stage": org.stage,
                "stage_since": since,
                "stage_before_dormant": before_dormant,
                "social_worker_id": org.sw_id,
                "leader_user_id": org.leader_id,
                "archived_at": None,
                "created_at": org.created,
                "version": 1,
            },
        )
        for change in changes:
            out.add(StageChange, {"id": out.new_id(StageChange), **change})

    # -- volunteers --------------------------------------------------------

    def volunteers(self) -> None:
        rng, out = self.rng, self.out
        n = self.sizes["volunteers"]
        orgs, cum = self._weighted([(o, o.weight + 0.3) for o in self.orgs])
        ids = out.ids(Volunteer, n)
        phones = rng.sample(range(10**9), n)
        self.left_on: dict[int, date] = {}
        for index, vid in enumerate(ids):
            # Two volunteers who never left for every organization, then by weight.
            forced = index < 2 * len(self.orgs)
            home = self.orgs[index // 2] if forced else self._pick(orgs, cum)
            orgs_in = [home]
            others = self.orgs_of[home.community_id]
            if len(others) > 1 and rng.random() < 0.2:
                second = rng.choice(others)
                if second is not home:
                    orgs_in.append(second)
            joined = min(o.first_day for o in orgs_in) - timedelta(
                days=rng.randint(1, 200)
            )
            left = None
            if not forced and rng.random() < 0.04:
                left = self.today - timedelta(days=rng.randint(1, 90))
                self.left_on[vid] = left
            out.add(
                Volunteer,
                {
                    "id": vid,
                    "community_id": home.community_id,
                    "number": f"V{vid:06d}",
                    "name": self._name(),
                    "gender": rng.choice(
                        ("female", "female", "male", "male", "female")
                    ),
                    "birth_year": rng.choice(
                        (
                            rng.randint(1945, 1965),
                            rng.randint(1945, 1965),
                            rng.randint(1966, 2004),
                        )
                    ),
                    "phone": f"1{rng.choice('3589')}{phones[index]:09d}",
                    "id_number": None,
                    "compound_id": rng.choice(self.compounds[home.community_id]),
                    "availability": rng.sample(
                        ["weekday_daytime", "weekday_evening", "weekend"],
                        rng.randint(1, 2),
                    ),
                    "joined_on": joined,
                    "status": "left" if left else "active",
                    "left_on": left,
                    "guardian_name": None,
                    "guardian_consent_on": None,
                    "notes": "",
                    "anonymized_at": None,
                    "created_at": self._at(joined, time(10)),
                    "version": 1,
                },
            )
            for skill in rng.sample(SKILLS, rng.choice((0, 1, 1, 2))):
                out.add(
                    VolunteerSkill,
                    {
                        "id": out.new_id(VolunteerSkill),
                        "volunteer_id": vid,
                        "skill": skill,
                    },
                )
            for org in orgs_in:
                org.roster.append(vid)
                out.add(
                    Membership,
                    {
                        "id": out.new_id(Membership),
                        "volunteer_id": vid,
                        "organization_id": org.id,
                        "role": "backbone" if rng.random() < 0.12 else "member",
                        "joined_on": joined,
                        "left_on": left,
                    },
                )

    # -- residents ---------------------------------------------------------

    def residents(self) -> None:
        rng, out = self.rng, self.out
        n = self.sizes["residents"]
        comms, cum = self._weighted(list(self.community_weight.items()))
        self.residents_of: dict[int, list[int]] = defaultdict(list)
        numbers = rng.sample(range(10**9), n)
        for index, rid in enumerate(out.ids(Resident, n)):
            cid = (
                self.community_ids[index]
                if index < len(self.community_ids)
                else (self._pick(comms, cum))
            )
            self.residents_of[cid].append(rid)
            mobile = f"1{rng.choice('3578')}{numbers[index]:09d}"
            out.add(
                Resident,
                {
                    "id": rid,
                    "key": resident_key(mobile),
                    "name": self._name(),
                    "phone_masked": mask(mobile),
                    "phone_encrypted": encrypt_phone(mobile),
                    "created_at": self.window_start,
                    "last_signed_at": None,
                    "erased_at": None,
                },
            )

    def _sign_in(
        self,
        column: str,
        record_id: int,
        cid: int,
        at: datetime,
        count: int,
        recorder: int | None,
    ) -> int:
        pool = self.residents_of.get(cid) or []
        count = min(count, len(pool))
        if count <= 0:
            return 0
        source = self.rng.choice(("qr", "qr", "qr", "paper"))
        for rid in self.rng.sample(pool, count):
            self.out.add(
                SignIn,
                {
                    "id": self.out.new_id(SignIn),
                    "community_id": cid,
                    "resident_id": rid,
                    "activity_id": record_id if column == "activity_id" else None,
                    "session_id": record_id if column == "session_id" else None,
                    "booking_id": record_id if column == "booking_id" else None,
                    "signed_at": at + timedelta(minutes=self.rng.randint(-10, 20)),
                    "source": source,
                    "recorded_by_id": recorder if source == "paper" else None,
                },
            )
        return count

    # -- activities --------------------------------------------------------

    def _days(self) -> tuple[list[date], list[float]]:
        """The days of the three years up to yesterday with their weights:
        seasons, the Spring Festival holiday and weekends."""
        days, cum, acc = [], [], 0.0
        day = self.first_day
        while day < self.today:
            weight = MONTH_WEIGHT[day.month] * WEEKDAY_WEIGHT[day.weekday()]
            for festival in SPRING_FESTIVALS:
                gap = (day - festival).days
                if -4 <= gap <= 8:
                    weight *= 0.2
                elif -12 <= gap < -4:
                    weight *= 0.7
            if day.month == 10 and day.day <= 7:
                weight *= 0.6
            acc += weight
            days.append(day)
            cum.append(acc)
            day += timedelta(days=1)
        return days, cum

    def activities(self) -> None:
        rng, out, sizes = self.rng, self.out, self.sizes
        days, day_cum = self._days()
        orgs, org_cum = self._weighted([(o, o.weight) for o in self.orgs])
        forms, form_cum = self._weighted(FORMS)
        services, service_cum = self._weighted(SERVICE_TYPES)
        targets = {k: self._weighted(v) for k, v in TARGETS.items()}
        kinds, kind_cum = self._weighted(RESOURCE_KINDS)
        n = sizes["activities"]
        sheet_size = 15
        sheet_odds = sizes["sign_ins"] * 0.6 / sheet_size / n
        linked_odds = sizes["resources"] * 0.6 / n
        self.approved_helpers = 0
        self.resources_done = 0
        self.sign_ins_done = 0
        day_index = {d: i for i, d in enumerate(days)}
        for aid in out.ids(Activity, n):
            org = self._pick(orgs, org_cum)
            lo = day_cum[day_index[org.first_day] - 1] if org.first_day > days[0] else 0
            if org.first_day >= self.today:
                lo = day_cum[-2] if len(day_cum) > 1 else 0
            day = days[
                min(
                    len(days) - 1,
                    bisect.bisect(day_cum, lo + rng.random() * (day_cum[-1] - lo)),
                )
            ]
            starts_at = self._at(day, rng.choice(STARTS))
            minutes = rng.choice(MINUTES)
            ends_at = starts_at + timedelta(minutes=minutes)
            form = self._pick(forms, form_cum)
            service = self._pick(services, service_cum)
            target = self._pick(*targets[org.kind])
            title = f"{rng.choice(SERVICES[org.kind])}{FORM_WORDS[form]}"
            people = min(600, int(rng.lognormvariate(3.1, 0.75)) + 2)
            if form == "meeting":
                people = max(3, people // 2)
            elif form == "case":
                people = rng.randint(1, 3)
            age = (self.today - day).days
            roll = rng.random()
            if age <= 7:
                state = (
                    "pending"
                    if roll < 0.7
                    else "approved"
                    if roll < 0.98
                    else "returned"
                )
            elif age <= 30:
                state = (
                    "pending"
                    if roll < 0.25
                    else "approved"
                    if roll < 0.95
                    else "returned"
                )
            else:
                state = (
                    "approved"
                    if roll < 0.93
                    else "returned"
                    if roll < 0.99
                    else "pending"
                )
            reason = rng.choice(RETURN_REASONS) if state == "returned" else ""
            by_leader = rng.random() < 0.8
            logged_by = org.leader_id if by_leader else org.sw_id
            reviewer = org.sw_id if by_leader else self.admin_id
            created = self._before_now(ends_at + timedelta(hours=rng.uniform(0.5, 30)))
            reviewed = self._before_now(created + timedelta(hours=rng.uniform(1, 72)))
            room_id = None
            if rng.random() < 0.05 and self.rooms[org.community_id]:
                room_id = rng.choice(self.rooms[org.community_id])[0]
            out.add(
                Activity,
                {
                    "id": aid,
                    "community_id": org.community_id,
                    "organization_id": org.id,
                    "title": title,
                    "form": form,
                    "service_type": service,
                    "target_group": target,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "held_on": day,
                    "compound_id": org.compound_id if rng.random() < 0.7 else None,
                    "place": ""
                    if room_id
                    else rng.choice(("小区广场", "活动室", "楼下凉亭", "社区公园")),
                    "room_id": room_id,
                    "person_times": people,
                    "summary": f"{org.name}开展{title}，居民参与积极。",
                    "review_state": state,
                    "return_reason": reason,
                    "logged_by_id": logged_by,
                    "submission_key": None,
                    "created_at": created,
                    "version": 1,
                },
            )
            out.add(
                ActivityEvent,
                {
                    "id": out.new_id(ActivityEvent),
                    "activity_id": aid,
                    "at": created,
                    "actor_id": logged_by,
                    "action": "logged",
                    "reason": "",
                },
            )
            if state != "pending":
                out.add(
                    ActivityEvent,
                    {
                        "id": out.new_id(ActivityEvent),
                        "activity_id": aid,
                        "at": reviewed,
                        "actor_id": reviewer,
                        "action": state,
                        "reason": reason,
                    },
                )
            self._helpers(org, aid, day, minutes, title, state, reviewer, reviewed)
            if rng.random() < linked_odds:
                self._resource(org, day, aid, reviewer, kinds, kind_cum)
            if rng.random() < sheet_odds:
                self.sign_ins_done += self._sign_in(
                    "activity_id",
                    aid,
                    org.community_id,
                    starts_at,
                    min(people, rng.randint(5, 2 * sheet_size - 5)),
                    logged_by,
                )

    def _helpers(
        self,
        org: Org,
        aid: int,
        day: date,
        minutes: int,
        title: str,
        state: str,
        reviewer: int,
        reviewed: datetime,
    ) -> None:
        rng, out = self.rng, self.out
        chosen: list[int] = []
        for _try in range(8):
            if len(chosen) == VOLUNTEERS_PER_ACTIVITY:
                break
            vid = rng.choice(org.roster)
            left = self.left_on.get(vid)
            if vid in chosen or (left is not None and left < day):
                continue
            chosen.append(vid)
        longest = math.ceil(minutes / 30) / 2
        for vid in chosen:
            hours = Decimal(str(min(longest, rng.choice((1, 1.5, 2, 2, 2.5, 3)))))
            record_id = None
            if state == "approved":
                record_id = out.new_id(ServiceRecord)
                self.approved_helpers += 1
                out.add(
                    ServiceRecord,
                    {
                        "id": record_id,
                        "community_id": org.community_id,
                        "volunteer_id": vid,
                        "organization_id": org.id,
                        "service": title,
                        "served_on": day,
                        "hours": hours,
                        "recorded_by_id": reviewer,
                        "recorded_at": reviewed,
                        "activity_id": aid,
                        "corrects_id": None,
                        "correction_reason": "",
                        "superseded": False,
                    },
                )
            out.add(
                ActivityVolunteer,
                {
                    "id": out.new_id(ActivityVolunteer),
                    "activity_id": aid,
                    "volunteer_id": vid,
                    "hours": hours,
                    "service_record_id": record_id,
                },
            )

    def _resource(
        self,
        org: Org | None,
        day: date,
        aid: int | None,
        recorder: int,
        kinds,
        kind_cum,
        community_id: int | None = None,
    ) -> None:
        rng = self.rng
        kind = self._pick(kinds, kind_cum)
        value = Decimal(round(rng.lognormvariate(7, 1.1), -1)).quantize(Decimal("0.01"))
        self.resources_done += 1
        self.out.add(
            ResourceLink,
            {
                "id": self.out.new_id(ResourceLink),
                "community_id": org.community_id if org else community_id,
                "partner": rng.choice(PARTNERS),
                "kind": kind,
                "description": {
                    "money": "活动经费资助",
                    "goods": "活动物资捐赠",
                    "venue": "免费提供活动场地",
                    "professional": "专业志愿服务",
                }[kind],
                "value": max(value, Decimal("10.00")),
                "valuation_basis": "市场价估算" if kind != "money" else "",
                "received_on": day,
                "organization_id": org.id if org else None,
                "activity_id": aid,
                "evidence_name": None,
                "evidence_original": "",
                "recorded_by_id": recorder,
                "created_at": self._before_now(self._at(day, time(20))),
            },
        )

    def loose_hours(self) -> None:
        """Service records typed on the roster (not from activity logs), up to
        the district's total of service-hour records."""
        rng, out = self.rng, self.out
        days, day_cum = self._days()
        orgs, cum = self._weighted([(o, o.weight + 0.2) for o in self.orgs])
        missing = self.sizes["service_records"] - self.approved_helpers
        for _ in range(max(1, missing)):
            org = self._pick(orgs, cum)
            vid = rng.choice(org.roster)
            day = days[bisect.bisect(day_cum, rng.random() * day_cum[-1])]
            day = max(day, org.first_day)
            left = self.left_on.get(vid)
            if left is not None and day > left:
                day = left
            if day >= self.today:
                day = self.today - timedelta(days=1)
            out.add(
                ServiceRecord,
                {
                    "id": out.new_id(ServiceRecord),
                    "community_id": org.community_id,
                    "volunteer_id": vid,
                    "organization_id": org.id,
                    "service": rng.choice(SERVICES[org.kind]),
                    "served_on": day,
                    "hours": Decimal(rng.randint(1, 8)) / 2,
                    "recorded_by_id": org.sw_id,
                    "recorded_at": self._before_now(self._at(day, time(21))),
                    "activity_id": None,
                    "corrects_id": None,
                    "correction_reason": "",
                    "superseded": False,
                },
            )

    def loose_resources(self) -> None:
        days, day_cum = self._days()
        kinds, kind_cum = self._weighted(RESOURCE_KINDS)
        missing = self.sizes["resources"] - self.resources_done
        for _ in range(max(1, missing)):
            day = days[bisect.bisect(day_cum, self.rng.random() * day_cum[-1])]
            if self.rng.random() < 0.7:
                org = self.rng.choice(self.orgs)
                self._resource(org, day, None, org.sw_id, kinds, kind_cum)
            else:
                cid = self.rng.choice(self.community_ids)
                recorder = (self.sws_of.get(cid) or [self.admin_id])[0]
                self._resource(None, day, None, recorder, kinds, kind_cum, cid)

    # -- sessions ----------------------------------------------------------

    def sessions(self) -> None:
        rng, out = self.rng, self.out
        comms, cum = self._weighted(list(self.community_weight.items()))
        n = self.sizes["sessions"]
        span = 365 * YEARS + 60
        per_session = max(1, round(self.sizes["sign_ins"] * 0.15 / n))
        dims = [d.key for d in DEFAULT_DIMENSIONS]
        for sid in out.ids(TrainingSession, n):
            cid = self._pick(comms, cum)
            day = self.first_day + timedelta(days=rng.randint(0, span))
            if day.weekday() == 6:
                day -= timedelta(days=1)
            starts_at = self._at(day, rng.choice((time(9, 30), time(14, 30))))
            ends_at = starts_at + timedelta(minutes=120)
            if ends_at < self.now:
                state = "held" if rng.random() < 0.94 else "cancelled"
            else:
                state = "scheduled"
            organizer = rng.choice(self.sws_of.get(cid) or [self.admin_id])
            dim = rng.randrange(len(dims))
            out.add(
                TrainingSession,
                {
                    "id": sid,
                    "community_id": cid,
                    "series_id": None,
                    "sequence": 1,
                    "title": SESSION_TITLES[dim % len(SESSION_TITLES)],
                    "topic": "培力课程：理论讲解与案例分享。",
                    "dimension": dims[dim],
                    "trainer": f"{rng.choice(SURNAMES)}老师",
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "place": "社区党群服务中心",
                    "room_id": None,
                    "capacity": rng.choice((30, 40, 50, 60)),
                    "state": state,
                    "cancel_reason": "天气原因取消。" if state == "cancelled" else "",
                    "detached": False,
                    "walk_ins": rng.randint(0, 5) if state == "held" else 0,
                    "feedback_score": (
                        Decimal(rng.randint(35, 50)) / 10 if state == "held" else None
                    ),
                    "capacity_overridden": False,
                    "organizer_id": organizer,
                    "created_at": self._before_now(
                        starts_at - timedelta(days=rng.randint(7, 30))
                    ),
                    "version": 1,
                },
            )
            invited = self.orgs_of.get(cid) or []
            for org in rng.sample(invited, min(len(invited), rng.randint(3, 10))):
                registered = rng.randint(1, 5)
                out.add(
                    SessionInvite,
                    {
                        "id": out.new_id(SessionInvite),
                        "session_id": sid,
                        "organization_id": org.id,
                        "registered": registered,
                        "registered_by_id": org.leader_id,
                        "attendees": (
                            rng.randint(0, registered) if state == "held" else None
                        ),
                    },
                )
            if state == "held":
                self.sign_ins_done += self._sign_in(
                    "session_id",
                    sid,
                    cid,
                    starts_at,
                    rng.randint(1, 2 * per_session),
                    organizer,
                )

    # -- bookings ----------------------------------------------------------

    def bookings(self) -> None:
        rng, out = self.rng, self.out
        comms, cum = self._weighted(list(self.community_weight.items()))
        n = self.sizes["bookings"]
        per_booking = 8
        # About three bookings in four are past, confirmed and held.
        missing = max(0.0, self.sizes["sign_ins"] - self.sign_ins_done)
        odds = missing / per_booking / (0.75 * n)
        taken: set[tuple[int, date, time]] = set()
        start = self.today - timedelta(days=365)
        services, service_cum = self._weighted(SERVICE_TYPES)
        for bid in out.ids(Booking, n):
            cid = self._pick(comms, cum)
            for _try in range(20):
                room_id, spec = rng.choice(self.rooms[cid])
                day = start + timedelta(days=rng.randint(0, 395))
                slot, minutes = rng.choice(BOOKING_SLOTS)
                late = datetime.combine(day, slot) + timedelta(minutes=minutes)
                if late.time() > spec.closes:
                    slot, minutes = BOOKING_SLOTS[0]
                if (room_id, day, slot) not in taken:
                    break
            else:
                # A full room: take a free slot further on (never overlapping).
                day = self.today + timedelta(days=400 + bid % 3000)
                slot, minutes = BOOKING_SLOTS[0]
            taken.add((room_id, day, slot))
            starts_at = self._at(day, slot)
            ends_at = starts_at + timedelta(minutes=minutes)
            past = ends_at < self.now
            roll = rng.random()
            if past:
                state = (
                    "confirmed"
                    if roll < 0.88
                    else "cancelled"
                    if roll < 0.95
                    else "refused"
                )
            else:
                state = (
                    "requested" if spec.needs_approval and roll < 0.4 else "confirmed"
                )
            orgs = self.orgs_of.get(cid) or []
            org = rng.choice(orgs) if orgs and rng.random() < 0.8 else None
            outside = (
                ""
                if org or rng.random() < 0.6
                else rng.choice(("区民政局调研组", "兄弟社区参访团", "高校实践团队"))
            )
            service = (
                "visit_reception" if outside else self._pick(services, service_cum)
            )
            sw = rng.choice(self.sws_of.get(cid) or [self.admin_id])
            booked_by = org.leader_id if org and rng.random() < 0.7 else sw
            expected = rng.randint(5, max(6, min(spec.capacity, 60)))
            made = self._before_now(starts_at - timedelta(days=rng.randint(2, 20)))
            held = None
            people = None
            if past and state == "confirmed":
                held = rng.random() < 0.93
                people = max(0, expected + rng.randint(-5, 5)) if held else 0
            out.add(
                Booking,
                {
                    "id": bid,
                    "community_id": cid,
                    "room_id": room_id,
                    "series_id": None,
                    "sequence": 1,
                    "detached": False,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "held_on": day,
                    "organization_id": org.id if org else None,
                    "outside_unit": outside,
                    "purpose": f"{org.name}活动"
                    if org
                    else (outside or "社工站工作会议"),
                    "service_type": service,
                    "expected_people": expected,
                    "state": state,
                    "decision_reason": "该时段已安排社区活动。"
                    if state == "refused"
                    else "",
                    "decided_by_id": sw if state in ("confirmed", "refused") else None,
                    "decided_at": (
                        self._before_now(made + timedelta(hours=rng.randint(1, 30)))
                        if state in ("confirmed", "refused")
                        else None
                    ),
                    "cancel_reason": "活动改期。" if state == "cancelled" else "",
                    "booked_by_id": booked_by,
                    "created_at": made,
                    "held": held,
                    "people": people,
                    "use_recorded_by_id": sw if held is not None else None,
                    "use_recorded_at": (
                        self._before_now(ends_at + timedelta(hours=rng.randint(1, 20)))
                        if held is not None
                        else None
                    ),
                    "activity_id": None,
                    "session_id": None,
                    "version": 1,
                },
            )
            if held and people and rng.random() < odds:
                self.sign_ins_done += self._sign_in(
                    "booking_id",
                    bid,
                    cid,
                    starts_at,
                    min(people, rng.randint(2, 2 * per_booking - 2)),
                    sw,
                )

    # -- follow-ups --------------------------------------------------------

    def followups(self) -> None:
        rng, out = self.rng, self.out
        orgs, cum = self._weighted([(o, 1 + o.weight) for o in self.orgs])
        taken: set[tuple[int, date, str]] = set()
        for _ in range(self.sizes["followups"]):
            org = self._pick(orgs, cum)
            first = max(org.first_day, self.first_day)
            horizon = (self.today + timedelta(days=60) - first).days
            for _try in range(10):
                due = first + timedelta(days=rng.randint(0, max(1, horizon)))
                kind = rng.choice(FOLLOWUP_KINDS)
                if (org.id, due, kind) not in taken:
                    break
            else:
                continue
            taken.add((org.id, due, kind))
            done_on = None
            if due > self.today:
                state = "open"
            else:
                roll = rng.random()
                state = (
                    "done" if roll < 0.88 else "cancelled" if roll < 0.92 else "open"
                )
                if state == "done":
                    done_on = min(self.today, due + timedelta(days=rng.randint(-3, 5)))
            out.add(
                FollowUp,
                {
                    "id": out.new_id(FollowUp),
                    "community_id": org.community_id,
                    "organization_id": org.id,
                    "kind": kind,
                    "due_on": due,
                    "assignee_id": org.sw_id,
                    "notes": "按阶段回访。",
                    "state": state,
                    "done_on": done_on,
                    "outcome": rng.choice(OUTCOMES) if state == "done" else "",
                    "origin": rng.choice(("cadence", "cadence", "manual", "stage")),
                    "created_by_id": org.sw_id,
                    "created_at": self._before_now(
                        self._at(due - timedelta(days=rng.randint(7, 60)), time(10))
                    ),
                    "version": 1,
                },
            )

    # -- ventures ----------------------------------------------------------

    def ventures(self) -> None:
        rng, out = self.rng, self.out
        n_rounds = self.sizes["rounds"]
        per_round = max(1, round(self.sizes["ventures"] / n_rounds))
        eligible = [o for o in self.orgs if o.filing != "none"] or self.orgs
        for r in range(n_rounds):
            opens = self.today - timedelta(days=183 * (n_rounds - 1 - r) + 20)
            closes = opens + timedelta(days=30)
            runs_from = closes + timedelta(days=30)
            runs_until = runs_from + timedelta(days=270)
            rid = out.new_id(VentureRound)
            if runs_until < self.today:
                phase = "over"
            elif runs_from <= self.today:
                phase = "running"
            else:
                phase = "applying"
            ventures = []
            for org in rng.sample(eligible, min(len(eligible), per_round)):
                requested = Decimal(rng.randint(10, 60) * 500)
                roll = rng.random()
                if phase == "over":
                    state = (
                        "closed"
                        if roll < 0.62
                        else "rejected"
                        if roll < 0.95
                        else "terminated"
                    )
                elif phase == "running":
                    state = "running" if roll < 0.65 else "rejected"
                else:
                    state = "applied" if roll < 0.4 else "reviewing"
                ventures.append((org, requested, state))
            budget = sum((v[1] for v in ventures), Decimal(0)) * Decimal("0.8")
            budget = max(budget.quantize(Decimal("0.01")), Decimal("10000.00"))
            out.add(
                VentureRound,
                {
                    "id": rid,
                    "name": f"{opens.year}年第{r + 1}批微公益创投",
                    "budget": budget,
                    "opens_on": opens,
                    "closes_on": closes,
                    "runs_from": runs_from,
                    "runs_until": runs_until,
                    "description": "支持社区社会组织开展微公益服务。",
                    "created_by_id": self.admin_id,
                    "created_at": self._before_now(
                        self._at(opens - timedelta(days=10), time(9))
                    ),
                    "version": 1,
                },
            )
            for position, (name, weight) in enumerate(CRITERIA):
                out.add(
                    RoundCriterion,
                    {
                        "id": out.new_id(RoundCriterion),
                        "round_id": rid,
                        "name": name,
                        "weight": weight,
                        "position": position,
                    },
                )
            left = budget
            for org, requested, state in ventures:
                funded = state in ("closed", "terminated", "running")
                approved = None
                if funded:
                    approved = min(requested, left)
                    if approved <= 0:
                        state, funded, approved = "rejected", False, None
                    else:
                        left -= approved
                self._venture(
                    rid,
                    org,
                    requested,
                    approved,
                    state,
                    opens,
                    closes,
                    runs_from,
                    runs_until,
                )

    def _venture(
        self, rid, org, requested, approved, state, opens, closes, runs_from, runs_until
    ) -> None:
        rng, out = self.rng, self.out
        vid = out.new_id(Venture)
        applied_at = self._at(opens + timedelta(days=rng.randint(0, 29)), time(10))
        decided = state not in ("applied", "reviewing")
        since = applied_at
        if decided:
            since = self._at(closes + timedelta(days=20), time(10))
        if state in ("closed", "terminated"):
            since = self._at(
                runs_until if state == "closed" else runs_from + timedelta(days=90),
                time(10),
            )
        out.add(
            Venture,
            {
                "id": vid,
                "community_id": org.community_id,
                "round_id": rid,
                "organization_id": org.id,
                "sponsor_id": None,
                "title": f"{org.name}微公益服务计划",
                "need": "社区居民需求调研显示相关服务缺口明显。",
                "target_group": TARGETS[org.kind][0][0],
                "planned_activities": "每月开展两次主题服务活动。",
                "expected_outputs": "服务居民300人次以上。",
                "requested_amount": requested,
                "approved_amount": approved,
                "state": state,
                "state_since": self._before_now(since),
                "decided_on": (closes + timedelta(days=20)) if decided else None,
                "decision_note": "评审通过。"
                if approved
                else ("未获资助。" if decided else ""),
                "midterm_on": None,
                "midterm_note": "",
                "outputs_achieved": "完成计划服务。" if state == "closed" else "",
                "closing_grade": rng.choice(("excellent", "good", "good", "pass"))
                if state == "closed"
                else None,
                "lessons": "",
                "closed_on": since.date()
                if state in ("closed", "terminated")
                else None,
                "termination_reason": "组织骨干流失，无法继续执行。"
                if state == "terminated"
                else "",
                "applied_by_id": org.leader_id,
                "submission_key": None,
                "created_at": applied_at,
                "version": 1,
            },
        )
        half = (requested / 2).quantize(Decimal("0.01"))
        for position, (item, amount) in enumerate(
            (("活动物资费", half), ("宣传及场地费", requested - half))
        ):
            out.add(
                BudgetLine,
                {
                    "id": out.new_id(BudgetLine),
                    "venture_id": vid,
                    "item": item,
                    "amount": amount,
                    "position": position,
                },
            )
        out.add(
            VentureEvent,
            {
                "id": out.new_id(VentureEvent),
                "venture_id": vid,
                "at": applied_at,
                "actor_id": org.leader_id,
                "action": "applied",
                "from_state": None,
                "to_state": "applied",
                "note": "",
            },
        )

    # -- the end -----------------------------------------------------------

    def finish(self, dialect: str) -> None:
        """Residents' last sign-in, PostgreSQL's sequences past the explicit
        ids, and ANALYZE so the planners know the sizes."""
        db.session.execute(
            text(
                "UPDATE resident SET last_signed_at = (SELECT max(s.signed_at) "
                "FROM sign_in s WHERE s.resident_id = resident.id)"
            )
        )
        if dialect == "postgresql":
            for table in self.out.next_ids:
                sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
                top = select(func.max(table.c.id)).scalar_subquery()
                db.session.execute(select(func.setval(sequence, top)))
        commit_now()
        db.session.execute(text("ANALYZE"))  # outside a write transaction on SQLite
        commit_now()
