"""An admin configures stages, dimensions and graduation criteria."""

from sqlalchemy import select

from incubator.organizations.models import GraduationSetting


def _stage_form(rows, **extra):
    data = {}
    for i, (key, zh, en, pos, active) in enumerate(rows, start=1):
        data.update(
            {
                f"stage-{i}-key": key,
                f"stage-{i}-label_zh": zh,
                f"stage-{i}-label_en": en,
                f"stage-{i}-position": str(pos),
            }
        )
        if active:
            data[f"stage-{i}-active"] = "1"
    data.update(extra)
    return data


DEFAULT = [
    ("intake", "萌芽", "Intake", 10, True),
    ("incubating", "孵化", "Incubating", 20, True),
    ("cultivating", "培育", "Cultivating", 30, True),
    ("self_governing", "自治", "Self-governing", 40, True),
    ("graduated", "出壳", "Graduated", 50, True),
    ("dormant", "休眠", "Dormant", 90, True),
]


def test_admin_adds_a_stage_and_it_appears_on_the_board(client, login_as):
    login_as("admin")
    page = client.get("/admin/incubation").get_data(as_text=True)
    assert "萌芽" in page and "组织治理" in page
    response = client.post(
        "/admin/incubation/stages",
        data=_stage_form(
            DEFAULT,
            **{
                "stage-new-key": "pre_graduation",
                "stage-new-label_zh": "预备出壳",
                "stage-new-label_en": "Pre-graduation",
                "stage-new-position": "45",
                "stage-new-active": "1",
            },
        ),
        follow_redirects=True,
    )
    assert "已保存" in response.get_data(as_text=True)
    board = client.get("/organizations/board").get_data(as_text=True)
    assert (
        board.index(">自治</h2>")
        < board.index(">预备出壳</h2>")
        < board.index(">出壳</h2>")
    )


def test_fixed_stages_cannot_be_switched_off(client, login_as):
    login_as("admin")
    rows = [r if r[0] != "dormant" else (*r[:4], False) for r in DEFAULT]
    rows = [r if r[0] != "intake" else (*r[:4], False) for r in rows]
    response = client.post(
        "/admin/incubation/stages", data=_stage_form(rows), follow_redirects=True
    )
    assert "规则" in response.get_data(as_text=True)
    board = client.get("/organizations/board").get_data(as_text=True)
    assert ">萌芽</h2>" in board


def test_admin_changes_graduation_criteria(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/admin/incubation/criteria",
        data={
            "min_average": "3.5",
            "min_activities": "4",
            "activity_months": "3",
            "require_filing": "1",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(select(GraduationSetting))
    assert (str(row.min_average), row.min_activities, row.activity_months) == (
        "3.50",
        4,
        3,
    )
    response = client.post(
        "/admin/incubation/criteria",
        data={"min_average": "9", "min_activities": "4", "activity_months": "3"},
        follow_redirects=True,
    )
    assert (
        "1 到 5" in response.get_data(as_text=True)
        or "1-5" in response.get_data(as_text=True)
        or "1 至 5" in response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert str(db.session.scalar(select(GraduationSetting)).min_average) == "3.50"


def test_a_huge_minimum_average_is_refused_not_a_500(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/admin/incubation/criteria",
        data={"min_average": "9" * 30, "min_activities": "4", "activity_months": "3"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "1 到 5" in response.get_data(as_text=True)
    assert db.session.scalar(select(GraduationSetting)) is None
