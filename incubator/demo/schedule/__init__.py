"""The demo's year of capacity-building sessions (培力课程) and follow-ups (跟进回访).

Sessions: a monthly series of twelve 社区社会组织能力建设工作坊 on the 28th from ten
months ago, one occurrence moved on its own and one cancelled, and a handful of
single sessions, each on a capacity dimension and inviting the organizations whose
weakest dimension it is. Past sessions have their registrations and attendance,
coming ones some registrations.

Follow-ups: every organization still being incubated has a year of them, done one
after the other by its stage's cadence (completing one schedules the next), and one
open now: a few overdue today, a few due this week, the rest later.

Everything goes through the sessions' and follow-ups' services, with dates in the
past; the audit entries and creation times are then dated back, as an import of
earlier records would be.

The package: ``programme`` (the year's workshops and single sessions, as data),
``series`` and ``singles`` (scheduling them), ``attendance`` (registrations and who
came), ``followups`` and ``dates``; ``seed`` puts them together."""

from incubator.demo.schedule.seed import seed_schedule

__all__ = ["seed_schedule"]
