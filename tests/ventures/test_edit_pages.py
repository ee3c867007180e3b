"""Every edit page of micro-ventures takes a valid submission: the form is posted
as the page shows it with one field changed, and the change is seen afterwards
(issue 13: editing a plan action answered 500 for every valid submission)."""

from datetime import date

from incubator.extensions import db as _db
from incubator.ventures import plans, services
from incubator.ventures.models import PlanAction, PlanTemplate, Venture, VentureRound
from incubator.ventures.schemas import PlanActionEntry
from tests.conftest import login
from tests.page_forms import form_values


def _running(fund, reviewed, db):
    venture = reviewed(fund["dance"])
    services.transition(venture, "approved", actor=fund["admin"])
    action = plans.add_action(
        venture,
        PlanActionEntry(
            goal="完成备案材料",
            action="准备章程",
            due_on=date(2026, 3, 5),
        ),
        actor=fund["sw"],
    )
    db.session.commit()
    return venture, action


def _edit(client, url: str, **changes):
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.get_data(as_text=True))
    data.update(changes)
    return client.post(url, data=data)


def test_a_plan_action_is_edited_on_its_page(fund, reviewed, client, db):
    venture, action = _running(fund, reviewed, db)
    login(client, "fund_sw")
    response = _edit(
        client,
        f"/ventures/actions/{action.id}/edit",
        goal="提交备案申请",
        action="到街道递交章程和名册",
        due_on="2026-03-20",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ventures/{venture.id}#plan")
    page = client.get(f"/ventures/{venture.id}").get_data(as_text=True)
    assert "提交备案申请" in page and "到街道递交章程和名册" in page
    _db.session.expire_all()
    saved = _db.session.get(PlanAction, action.id)
    assert (saved.goal, saved.due_on) == ("提交备案申请", date(2026, 3, 20))


def test_a_plan_action_edit_out_of_the_round_is_shown_on_the_field(
    fund, reviewed, client, db
):
    _venture, action = _running(fund, reviewed, db)
    login(client, "fund_sw")
    response = _edit(client, f"/ventures/actions/{action.id}/edit", due_on="2025-01-01")
    assert response.status_code == 200
    assert "请填写本批次期限内的截止日期" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(PlanAction, action.id).due_on == date(2026, 3, 5)


def test_a_plan_action_text_is_patched_through_the_api(
    fund, reviewed, client, db, api_token
):
    venture, action = _running(fund, reviewed, db)
    response = client.patch(
        f"/api/v1/ventures/{venture.id}/actions/{action.id}",
        headers=api_token("admin", username="api_admin"),
        json={"action": "改为线上递交", "version": action.version},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["action"] == "改为线上递交"
    assert response.get_json()["goal"] == "完成备案材料"


def test_a_venture_application_is_edited_on_its_page(fund, apply, client, db):
    venture = apply(fund["dance"])
    login(client, "fund_sw")
    response = _edit(client, f"/ventures/{venture.id}/edit", title="长者手机课堂")
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Venture, venture.id).title == "长者手机课堂"


def test_a_round_is_edited_on_its_page(fund, client, db):
    login(client, "lead")
    url = f"/ventures/rounds/{fund['round'].id}/edit"
    response = _edit(client, url, name="禾你益起 第二期")
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(VentureRound, fund["round"].id).name == "禾你益起 第二期"


def test_a_catalogue_entry_is_edited_on_its_page(fund, client, db):
    plans.materialize_catalogue()
    db.session.commit()
    template = plans.catalogue()[0]
    login(client, "lead")
    response = _edit(
        client, f"/ventures/catalogue/{template.id}/edit", goal="建立财务制度"
    )
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(PlanTemplate, template.id).goal == "建立财务制度"
