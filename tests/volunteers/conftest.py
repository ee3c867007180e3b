"""Volunteer fixtures live in the root conftest (activities use them too).

Every roster belongs to a community (issue 15): these tests run on an instance
whose admin has set up one, as ``flask setup`` does on a real one."""

import pytest


@pytest.fixture(autouse=True)
def _set_up_community(community):
    return community
