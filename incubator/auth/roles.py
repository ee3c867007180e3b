"""The four roles and their labels."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    SOCIAL_WORKER = "social_worker"
    ORG_LEADER = "org_leader"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Project lead"),
    Role.SOCIAL_WORKER: _l("Social worker"),
    Role.ORG_LEADER: _l("Organization leader"),
    Role.VIEWER: _l("Street / civil affairs observer"),
}

# Roles whose members see residents' personal data (full phone and ID numbers).
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.SOCIAL_WORKER})
# Roles that work on every organization's records.
STAFF_ROLES = frozenset({Role.ADMIN, Role.SOCIAL_WORKER})
# Roles that see individual residents at all (volunteers by name, their hours,
# certificates, memberships): everyone but viewers. Street office and civil
# affairs observers get figures and organizations, never a list or record of
# residents (README, "Roles"; issue 13). Org leaders see only their own
# organizations' people (see ``incubator.volunteers.access``).
RESIDENT_ROLES = frozenset({Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER})
