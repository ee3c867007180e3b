"""Volunteer fixtures live in the root conftest (activities use them too)."""
