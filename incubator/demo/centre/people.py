"""The residents who signed in, and their sign-ins: each community's year reaches
exactly its figure of people served (distinct residents), with the regulars of
the groups at many uses, returning visitors and many new faces, and some
residents signing in at both communities (counted once in each).

A record's sign-ins come partly from its group (the dance team's members, the
party members, the organizations' regulars) and partly from anyone: a new face
while the community still has residents who have not come yet, else someone
who came before. Whoever has not come by the end takes the place of a returning
visitor at an open event, so the count is exact. Inserted in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from incubator.demo.centre.data import (
    GIVEN_FIRST,
    GIVEN_SECOND,
    PREFIXES,
    SURNAMES,
)
from incubator.extensions import db
from incubator.signins.identity import encrypt_phone, mask, resident_key
from incubator.signins.models import Resident, SignIn, SignInSource


@dataclass
class Sheet:
    """The sign-ins one record gets."""

    column: str  # "activity_id", "session_id" or "booking_id"
    record_id: int
    community_id: int
    starts_at: datetime
    count: int
    counted: bool  # in the community's figure (approved, held, used; in period)
    pool: str | None = None
    pool_share: float = 1.0
    recorder_id: int | None = None


class Community:
    """One community's residents: its groups first, then everyone else."""

    def __init__(self, residents: list[int], pools: dict[str, int], rng) -> None:
        self.rng = rng
        self.pools: dict[str, list[int]] = {}
        at = 0
        for key, size in pools.items():
            self.pools[key] = residents[at : at + size]
            at += size
        self.new = residents[at:]
        rng.shuffle(self.new)
        self.everyone = set(residents)
        self.came: list[int] = []  # residents signed in (open events), in order
        self.seen: set[int] = set()

    def draw(self, sheet: Sheet, open_left: int) -> list[tuple[int, bool]]:
        """``sheet.count`` distinct residents, each with whether they came as
        anyone (an open place, which a newcomer may take at the end)."""
        rng, chosen = self.rng, {}
        pool = self.pools.get(sheet.pool or "", [])
        from_pool = min(len(pool), round(sheet.count * sheet.pool_share))
        for resident in rng.sample(pool, from_pool):
            chosen[resident] = False
        tries = 0
        while len(chosen) < sheet.count:
            fresh = bool(self.new) and sheet.counted
            odds = len(self.new) / max(open_left, 1) * 0.97
            if fresh and (not self.came or rng.random() < odds):
                resident = self.new.pop()
            elif not self.came:
                break
            else:
                resident = rng.choice(self.came)
                if resident in chosen:
                    tries += 1
                    if tries < 20:
                        continue
                    if not fresh:
                        break
                    resident = self.new.pop()
            chosen[resident] = True
            open_left -= 1
        for resident in chosen:
            if resident not in self.seen and sheet.counted:
                self.seen.add(resident)
                self.came.append(resident)
        return list(chosen.items())


def sign_in(
    sheets: list[Sheet], residents: list[int], pools: dict[str, int], rng
) -> list[tuple[Sheet, int]]:
    """Who signed in to each of ``sheets`` (one community's), so that exactly
    ``residents`` signed in to the counted ones: (sheet, resident) pairs."""
    community = Community(residents, pools, rng)
    ordered = sorted(sheets, key=lambda s: (not s.counted, s.starts_at, s.record_id))
    open_left = sum(
        s.count - round(s.count * s.pool_share) if s.pool else s.count
        for s in ordered
        if s.counted
    )
    signed: list[tuple[Sheet, int, bool]] = []
    for sheet in ordered:
        drawn = community.draw(sheet, open_left)
        if sheet.counted:
            open_left -= sum(1 for _r, anyone in drawn if anyone)
        signed.extend((sheet, resident, anyone) for resident, anyone in drawn)
    # Whoever has not come takes the place of someone who came more than once.
    counted = [(n, s) for n, s in enumerate(signed) if s[0].counted]
    visits: dict[int, int] = {}
    for _n, (_sheet, resident, _a) in counted:
        visits[resident] = visits.get(resident, 0) + 1
    missing = sorted(community.everyone - set(visits))
    places = [n for n, (_s, r, anyone) in counted if anyone]
    rng.shuffle(places)
    for n in places:
        if not missing:
            break
        sheet, resident, _a = signed[n]
        if visits[resident] > 1:
            visits[resident] -= 1
            signed[n] = (sheet, missing.pop(), True)
    if missing:
        raise RuntimeError(f"demo sign-ins: {len(missing)} residents never came")
    return [(sheet, resident) for sheet, resident, _a in signed]


def make_residents(count: int, rng) -> list[tuple[str, str]]:
    """``count`` (name, mobile) of distinct valid mainland mobile numbers."""
    numbers = rng.sample(range(10_000_000, 100_000_000), count)
    return [
        (
            rng.choice(SURNAMES)
            + rng.choice(GIVEN_FIRST)
            + (rng.choice(GIVEN_SECOND) if rng.random() < 0.8 else ""),
            f"{PREFIXES[n % len(PREFIXES)]}{number:08d}",
        )
        for n, number in enumerate(numbers)
    ]


def insert_all(
    people: list[tuple[str, str]], signed: list[tuple[Sheet, int]], rng
) -> None:
    """The residents and their sign-ins, in bulk."""
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    rows: list[dict[str, Any]] = []
    paper = {}
    for sheet, resident in signed:
        if (sheet.column, sheet.record_id) not in paper:
            paper[(sheet.column, sheet.record_id)] = rng.random() < 0.3
        on_paper = paper[(sheet.column, sheet.record_id)]
        at = sheet.starts_at + timedelta(
            minutes=0 if on_paper else rng.randint(-20, 40)
        )
        first[resident] = min(first.get(resident, at), at)
        last[resident] = max(last.get(resident, at), at)
        rows.append(
            {
                "resident": resident,
                sheet.column: sheet.record_id,
                "community_id": sheet.community_id,
                "signed_at": at,
                "source": (SignInSource.PAPER if on_paper else SignInSource.QR).value,
                "recorded_by_id": sheet.recorder_id if on_paper else None,
            }
        )
    used = sorted(first)
    keys = {n: resident_key(people[n][1]) for n in used}
    # Core inserts of the tables, and the ids read back by key: the ORM's bulk
    # path and RETURNING cost far more per row.
    db.session.execute(
        Resident.__table__.insert(),
        [
            {
                "key": keys[n],
                "name": people[n][0],
                "phone_masked": mask(people[n][1]),
                "phone_encrypted": encrypt_phone(people[n][1]),
                "created_at": first[n],
                "last_signed_at": last[n],
            }
            for n in used
        ],
    )
    id_of = {
        key: resident_id
        for key, resident_id in db.session.execute(
            select(Resident.key, Resident.id).where(Resident.key.is_not(None))
        )
    }
    by_index = {n: id_of[keys[n]] for n in used}
    for row in rows:
        row["resident_id"] = by_index[row.pop("resident")]
    columns = ("activity_id", "session_id", "booking_id")
    for row in rows:
        for column in columns:
            row.setdefault(column, None)
    db.session.execute(SignIn.__table__.insert(), rows)
