import itertools

import pytest

from incubator.volunteers import services

_phones = itertools.count(13800000000)


@pytest.fixture
def make_volunteer(db, make_user):
    """Create a volunteer (by an admin unless ``actor``), optionally in ``org``."""
    state = {}

    def make(org=None, *, actor=None, role="member", **fields):
        if actor is None:
            if "admin" not in state:
                state["admin"] = make_user("admin")
            actor = state["admin"]
        values = {"name": "志愿者", "birth_year": 1960, "phone": str(next(_phones))}
        values.update(fields)
        volunteer = services.create_volunteer(
            actor=actor, organization=org, role=role, **values
        )
        db.session.commit()
        return volunteer

    return make
