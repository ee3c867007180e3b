"""The activity fixtures (team, log) are in the root conftest."""
