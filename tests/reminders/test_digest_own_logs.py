"""The monthly digest counts the logs a social worker may review, not the ones
she wrote herself (a colleague reviews those; issue 16)."""

from incubator.reminders import jobs
from incubator.reminders.models import Reminder


def test_the_digest_does_not_count_her_own_logs(team, log, db, frozen_time):
    log(team["org"], team["leader"], title="吴阿姨记的排练")
    log(team["org"], team["sw"], title="林社工代记的义诊")
    log(team["org"], team["sw"], title="林社工代记的讲座")
    jobs.run_monthly("2026-03")
    digest = db.session.scalar(
        Reminder.__table__.select()
        .with_only_columns(Reminder.body)
        .where(
            Reminder.recipient_id == team["sw"].id, Reminder.kind == "monthly_digest"
        )
    )
    assert "等待你审核的活动记录：1" in digest
