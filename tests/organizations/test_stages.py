"""The stage rules of DOMAIN.md, driven through the pages and the API alike."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from incubator.activities import hooks as activity_hooks
from incubator.errors import ValidationFailed
from incubator.organizations import incubation, settings, stages
from incubator.organizations.models import Organization, StageChange


def _stage(db, org_id):
    db.session.expire_all()
    return db.session.get(Organization, org_id).stage


def _move(client, org, to, reason="", headers=None):
    """POST a stage change through the API; returns the response."""
    return client.post(
        f"/api/v1/organizations/{org.id}/stage",
        json={"to": to, "reason": reason},
        headers=headers,
    )


@pytest.fixture
def api(client, api_token):
    return client, api_token("social_worker")


def test_forward_without_assessment_is_refused_on_page_and_api(
    sw_client, api_token, make_org, db
):
    client, _sw = sw_client
    org = make_org()
    response = client.post(
        f"/organizations/{org.id}/stage",
        data={"to": "incubating"},
        follow_redirects=True,
    )
    assert "推进阶段需要有能力评估记录" in response.get_data(as_text=True)
    assert _stage(db, org.id) == "intake"
    response = _move(client, org, "incubating", headers=api_token("social_worker"))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "rule_violation" and "能力评估" in error["message"]


def test_forward_with_assessment_is_allowed(sw_client, make_org, assess, db):
    client, sw = sw_client
    org = make_org()
    assess(org, sw)
    response = client.post(f"/organizations/{org.id}/stage", data={"to": "incubating"})
    assert response.status_code == 302
    assert _stage(db, org.id) == "incubating"
    change = db.session.scalars(
        select(StageChange)
        .where(StageChange.organization_id == org.id)
        .order_by(StageChange.id.desc())
    ).first()
    assert (change.from_stage, change.to_stage, change.actor_id) == (
        "intake",
        "incubating",
        sw.id,
    )


def test_moving_past_incubating_needs_a_fresh_assessment(
    frozen_time, api, make_user, make_org, assess, db
):
    client, headers = api
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw, on=date(2026, 2, 1))
    assert _move(client, org, "incubating", headers=headers).status_code == 201
    response = _move(client, org, "cultivating", headers=headers)
    assert response.status_code == 409
    assert "上次阶段变更" in response.get_json()["error"]["message"]
    frozen_time.shift(timedelta(days=10))
    assess(org, sw, on=date(2026, 3, 10))
    assert _move(client, org, "cultivating", headers=headers).status_code == 201
    assert _stage(db, org.id) == "cultivating"


def test_graduation_names_failing_criteria_then_succeeds(
    frozen_time, api, make_user, make_org, assess, db, monkeypatch
):
    client, headers = api
    sw = make_user("social_worker")
    org = make_org(filing_status="none")
    assess(org, sw, score=3)
    org_id = org.id
    response = _move(client, org, "graduated", headers=headers)
    assert response.status_code == 409
    message = response.get_json()["error"]["message"]
    assert "未达到出壳标准" in message
    assert "平均分为 3.00" in message
    assert "近 6 个月登记活动 0 次" in message
    assert "尚未备案" in message
    assert _stage(db, org_id) == "intake"

    # meet every criterion: a strong assessment, 6 activities, filed
    monkeypatch.setattr(activity_hooks, "approved_since", lambda org_id, since: 6)
    frozen_time.shift(timedelta(days=1))
    assess(org, sw, score=4, on=date(2026, 3, 2))
    org = db.session.get(Organization, org_id)
    response = client.patch(
        f"/api/v1/organizations/{org_id}",
        json={"version": org.version, "filing_status": "filed"},
        headers=headers,
    )
    assert response.status_code == 200
    response = _move(client, org, "graduated", headers=headers)
    assert response.status_code == 201, response.get_json()
    assert _stage(db, org_id) == "graduated"


def test_activity_counter_counts_since_six_months_ago(
    make_org, make_user, assess, monkeypatch, frozen_time, db
):
    seen = []
    monkeypatch.setattr(
        activity_hooks, "approved_since", lambda org_id, since: seen.append(since) or 0
    )
    org = make_org(filing_status="filed")
    failures = stages.graduation_failures(org)
    assert seen == [date(2025, 9, 1)]
    assert len(failures) == 2  # no assessment, no activities


def test_dormant_from_any_stage_and_back_to_where_it_came_from(
    api, make_user, make_org, assess, db
):
    client, headers = api
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw)
    assert _move(client, org, "incubating", headers=headers).status_code == 201
    assert _move(client, org, "dormant", headers=headers).status_code == 201
    response = _move(client, org, "cultivating", headers=headers)
    assert response.status_code == 409
    assert "孵化" in response.get_json()["error"]["message"]
    assert _move(client, org, "incubating", headers=headers).status_code == 201
    assert _stage(db, org.id) == "incubating"


def test_backward_needs_a_reason(api, make_user, make_org, assess, db):
    client, headers = api
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw)
    _move(client, org, "incubating", headers=headers)
    response = _move(client, org, "intake", headers=headers)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    response = _move(
        client, org, "intake", reason="骨干流失，重新组建", headers=headers
    )
    assert response.status_code == 201
    assert response.get_json()["direction"] == "backward"


def test_unknown_stage_is_refused(api, make_org):
    client, headers = api
    org = make_org()
    response = _move(client, org, "flying", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["to"] == ["未知的阶段。"]


def test_history_is_immutable(make_org, db):
    org = make_org()
    change = db.session.scalar(
        select(StageChange).where(StageChange.organization_id == org.id)
    )
    change.reason = "rewritten"
    with pytest.raises(RuntimeError, match="never updated"):
        db.session.flush()
    db.session.rollback()
    change = db.session.scalar(
        select(StageChange).where(StageChange.organization_id == org.id)
    )
    db.session.delete(change)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()
    db.session.rollback()


def test_renaming_a_stage_never_rewrites_history(api, make_user, make_org, assess, db):
    client, headers = api
    admin = make_user("admin")
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw)
    _move(client, org, "incubating", headers=headers)
    rows = [
        {
            "key": s.key,
            "label_zh": "孵化期" if s.key == "incubating" else s.label_zh,
            "label_en": s.label_en,
            "position": s.position,
            "active": True,
        }
        for s in incubation.all_stages()
    ]
    settings.save_stages(rows, actor=admin)
    db.session.commit()
    history = client.get(f"/api/v1/organizations/{org.id}/stages", headers=headers)
    assert history.get_json()["items"][0]["to_label"] == "孵化"
    current = client.get(f"/api/v1/organizations/{org.id}", headers=headers)
    assert current.get_json()["stage_label"] == "孵化期"


def test_stage_history_on_the_organization_page(sw_client, make_org, assess, db):
    client, sw = sw_client
    org = make_org()
    assess(org, sw)
    client.post(
        f"/organizations/{org.id}/stage",
        data={"to": "incubating", "reason": "骨干稳定"},
    )
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "萌芽 → 孵化" in page and "骨干稳定" in page and "林社工" in page


def _page_move(client, org, to, reason=""):
    response = client.post(
        f"/organizations/{org.id}/stage",
        data={"to": to, "reason": reason},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_rule_through_the_page(frozen_time, sw_client, make_org, assess, db):
    client, sw = sw_client
    org = make_org(filing_status="none")
    assess(org, sw, on=date(2026, 2, 1))
    assert "孵化" in _page_move(client, org, "incubating")
    assert _stage(db, org.id) == "incubating"
    # past 孵化 with the old assessment
    assert "上次阶段变更" in _page_move(client, org, "cultivating")
    assert _stage(db, org.id) == "incubating"
    # backward without a reason, then with one
    assert "退回到较早阶段需要填写原因" in _page_move(client, org, "intake")
    _page_move(client, org, "intake", "骨干流失")
    assert _stage(db, org.id) == "intake"
    # dormant and back only to where it came from
    _page_move(client, org, "dormant")
    assert "休眠前的阶段：萌芽" in _page_move(client, org, "incubating")
    _page_move(client, org, "intake")
    assert _stage(db, org.id) == "intake"
    # graduation names the failing criteria
    page = _page_move(client, org, "graduated")
    assert "未达到出壳标准" in page and "尚未备案" in page
    assert _stage(db, org.id) == "intake"


def test_stages_after_graduation_need_the_criteria_too(
    api, make_user, make_org, assess, db
):
    client, headers = api
    admin = make_user("admin")
    sw = make_user("social_worker")
    rows = [
        {
            "key": s.key,
            "label_zh": s.label_zh,
            "label_en": s.label_en,
            "position": s.position,
            "active": True,
        }
        for s in incubation.all_stages()
    ] + [
        {
            "key": "alumni",
            "label_zh": "校友",
            "label_en": "Alumni",
            "position": 60,
            "active": True,
        }
    ]
    settings.save_stages(rows, actor=admin)
    db.session.commit()
    org = make_org()
    assess(org, sw, score=1)
    response = _move(client, org, "alumni", headers=headers)
    assert response.status_code == 409
    assert "未达到出壳标准" in response.get_json()["error"]["message"]


def test_stage_order_cannot_put_graduation_before_incubation(make_user, db):
    admin = make_user("admin")
    rows = [
        {
            "key": s.key,
            "label_zh": s.label_zh,
            "label_en": s.label_en,
            "position": 5 if s.key == "graduated" else s.position,
            "active": True,
        }
        for s in incubation.all_stages()
    ]
    with pytest.raises(ValidationFailed) as refused:
        settings.save_stages(rows, actor=admin)
    assert "萌芽" in str(refused.value.message)
    db.session.rollback()


def test_a_stage_in_use_cannot_be_switched_off(
    frozen_time, make_user, make_org, assess, db
):
    admin = make_user("admin")
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw)
    stages.change_stage(org, "incubating", actor=sw)
    frozen_time.shift(timedelta(days=1))
    assess(org, sw, on=date(2026, 3, 2))
    stages.change_stage(org, "cultivating", actor=sw)
    stages.change_stage(org, "dormant", actor=sw)
    db.session.commit()
    rows = [
        {
            "key": s.key,
            "label_zh": s.label_zh,
            "label_en": s.label_en,
            "position": s.position,
            "active": s.key != "self_governing",
        }
        for s in incubation.all_stages()
    ]
    settings.save_stages(rows, actor=admin)  # nobody is in 自治: fine
    db.session.commit()
    rows = [
        {**r, "active": r["key"] not in ("self_governing", "cultivating")} for r in rows
    ]
    with pytest.raises(ValidationFailed) as refused:
        settings.save_stages(rows, actor=admin)  # dormant from 培育
    assert "培育" in str(refused.value.message)
    db.session.rollback()


def test_archived_organization_cannot_move_409(api, make_user, make_org, assess, db):
    client, headers = api
    sw = make_user("social_worker")
    org = make_org()
    assess(org, sw)
    from incubator.organizations.services import archive_organization

    archive_organization(org, actor=sw)
    db.session.commit()
    response = _move(client, org, "incubating", headers=headers)
    assert response.status_code == 409
