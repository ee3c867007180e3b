"""组织 → 导入: organizations from Excel with a per-row report, confirmed all
together, and the CLI."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from incubator.community.models import Community, Compound
from incubator.community.scope import set_scope
from incubator.organizations import importer
from incubator.organizations.models import CaseNote, Organization

HEADER = [
    "组织名称",
    "类型",
    "社区",
    "小区",
    "负责人姓名",
    "负责人电话",
    "成立日期",
    "备案状态",
    "联系社工",
]


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row) + [""] * (len(HEADER) - len(row)))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data):
    return client.post(
        "/organizations/import",
        data={"file": (BytesIO(data), "组织.xlsx")},
        content_type="multipart/form-data",
    )


def report(client, data) -> tuple[str, str]:
    response = upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def errors_of(page: str) -> dict[int, str]:
    body = page[page.index('id="import-errors"') :].split("</table>")[0]
    return {
        int(n): html for n, html in re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", body)
    }


def names(db) -> set[str]:
    return set(db.session.scalars(select(Organization.name)))


@pytest.fixture
def two_communities(db, community):
    other = Community(name="海湾社区", district="湖里区", city="厦门市")
    db.session.add_all([other, Compound(community=other, name="丙小区", position=0)])
    db.session.commit()
    return community, other


def test_report_lists_good_and_bad_rows_and_confirm_writes_exactly_the_good(
    client, login_as, db, make_org, two_communities, make_user
):
    home, other = two_communities
    make_org("已有舞蹈队")
    worker = make_user("social_worker", username="linsw", name="林社工")
    login_as("admin")
    data = workbook(
        ["示例：夕阳红舞蹈队", "文体类"],
        [
            "红枫合唱团",
            "文体类",
            "测试社区",
            "甲小区",
            "张三",
            "13700000001",
            "2023-05-01",
            "已备案",
            "linsw",
        ],
        ["邻里互助会", "charity", "测试社区", "", "", "", "", "", "林社工"],
        ["书画社", "不知道", "测试社区"],
        ["棋社", "文体类", "测试社区", "丙小区"],
        ["球队", "文体类", "测试社区", "丁小区"],
        ["已有舞蹈队", "文体类", "测试社区"],
        ["红枫合唱团", "文体类", "测试社区"],
        ["茶话会", "文体类", "没有的社区"],
        ["读书会", "文体类", "测试社区", "", "", "", "2999-01-01"],
        ["跑团", "文体类", "测试社区", "", "", "", "", "", "nobody"],
        ["海湾舞蹈队", "文体类", "海湾社区", "丙小区"],
        ["无社区队", "文体类"],
    )
    url, page = report(client, data)
    assert "共读取 12 行：3 行可导入，9 行有错误" in page
    assert "示例" in page  # the example row is said to be skipped
    errors = errors_of(page)
    assert "未知的类型" in errors[5]
    assert "属于另一个社区" in errors[6]
    assert "未知的小区" in errors[7]
    assert "已有名为 已有舞蹈队 的组织" in errors[8]
    assert "与本文件第 3 行重名" in errors[9]
    assert "未知的社区" in errors[10]
    assert "成立日期" in errors[11]
    assert "未知的社工" in errors[12]
    assert "社区" in errors[14]
    assert names(db) == {"已有舞蹈队"}  # nothing written before confirming

    client.post(url + "/confirm")
    assert (
        names(db)
        == {"已有舞蹈队", "红枫合唱团", "邻里互助会", "海湾舞蹈队", "茶话会"}
        - {"茶话会"}
        | set()
    )
    choir = db.session.scalar(
        select(Organization).where(Organization.name == "红枫合唱团")
    )
    assert choir.compound.name == "甲小区"
    assert choir.filing_status == "filed"
    assert choir.social_worker_id == worker.id
    assert choir.description.startswith("负责人：张三")
    # the phone is kept for staff only (a case note), never in what viewers read
    assert "13700000001" not in choir.description
    notes = db.session.scalars(
        select(CaseNote).where(CaseNote.organization_id == choir.id)
    ).all()
    assert [n.body for n in notes] == ["负责人联系电话（导入）：13700000001"]
    assert str(choir.founded_on) == "2023-05-01"
    bay = db.session.scalar(
        select(Organization).where(Organization.name == "海湾舞蹈队")
    )
    assert bay.community_id == other.id
    aid = db.session.scalar(
        select(Organization).where(Organization.name == "邻里互助会")
    )
    assert aid.kind == "charity" and aid.community_id == home.id

    # A second confirm writes nothing more.
    before = db.session.scalar(select(func.count()).select_from(Organization))
    client.post(url + "/confirm")
    assert db.session.scalar(select(func.count()).select_from(Organization)) == before


def test_one_open_community_may_be_left_out(client, login_as, db, community):
    login_as("admin")
    url, page = report(client, workbook(["红枫合唱团", "文体类", "", "乙小区"]))
    assert "1 行可导入，0 行有错误" in page
    client.post(url + "/confirm")
    org = db.session.scalar(select(Organization))
    assert org.community_id == community.id and org.compound.name == "乙小区"


def test_confirm_rechecks_and_writes_nothing_if_a_row_fails(
    client, login_as, db, make_org, community
):
    login_as("admin")
    url, _page = report(client, workbook(["甲队", "文体类"], ["乙队", "文体类"]))
    make_org("乙队")  # registered meanwhile
    response = client.post(url + "/confirm", follow_redirects=True)
    assert "第 3 行" in response.get_data(as_text=True)
    assert names(db) == {"乙队"}


def test_social_worker_imports_only_into_her_communities(
    client, login_as, db, two_communities
):
    home, other = two_communities
    worker = login_as("social_worker")
    set_scope(worker, [home.id])
    db.session.commit()
    url, page = report(
        client,
        workbook(
            ["甲队", "文体类", "测试社区"],
            ["乙队", "文体类", "海湾社区"],
            ["丙队", "文体类"],
        ),
    )
    errors = errors_of(page)
    assert "不在您负责的范围内" in errors[3]
    assert 4 not in errors  # her one community is the default
    client.post(url + "/confirm")
    assert names(db) == {"甲队", "丙队"}
    assert {o.social_worker_id for o in db.session.scalars(select(Organization))} == {
        worker.id
    }


@pytest.mark.parametrize("role", ["org_leader", "viewer"])
def test_leaders_and_viewers_may_not_import(client, login_as, role, community):
    login_as(role)
    assert client.get("/organizations/import").status_code == 403
    assert client.get("/organizations/import/template.xlsx").status_code == 403
    assert upload(client, workbook(["甲队", "文体类"])).status_code == 403


def test_someone_elses_report_is_not_found(client, login_as, db, community, make_user):
    other = make_user("admin")
    batch = importer.prepare_import(workbook(["甲队", "文体类"]), "x.xlsx", actor=other)
    db.session.commit()
    login_as("admin")
    assert client.get(f"/organizations/import/{batch.id}").status_code == 404
    assert client.post(f"/organizations/import/{batch.id}/confirm").status_code == 404


def test_template_round_trip_imports_nothing_but_says_so(client, login_as, community):
    login_as("social_worker")
    response = client.get("/organizations/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    assert [c.value.rstrip("*") for c in sheet[1]] == HEADER
    _url, page = report(client, response.data)
    assert "共读取 0 行" in page and "示例" in page


def test_a_file_without_the_header_is_refused(client, login_as, community):
    login_as("admin")
    response = upload(client, b"not a workbook")
    assert response.status_code == 200
    assert ".xlsx" in response.get_data(as_text=True)


def test_pages_render_at_a_query_budget(client, login_as, community, count_queries):
    login_as("admin")
    rows = [[f"队{i}", "文体类", "测试社区", "甲小区"] for i in range(30)]
    with count_queries() as q:
        url, _page = report(client, workbook(*rows))
    assert q.count <= 25, q.statements
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count <= 8, q.statements
    with count_queries() as q:
        assert client.get("/organizations/import").status_code == 200
    assert q.count <= 6, q.statements


def test_cli_import_and_dry_run(app, db, community, make_user, tmp_path):
    make_user("admin")
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(workbook(["甲队", "文体类"], ["乙队", "错的类型"]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["organizations", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 3" in dry.output and "1 rows would be imported" in dry.output
    assert names(db) == set()
    done = runner.invoke(args=["organizations", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "Imported 1 organizations" in done.output
    db.session.expire_all()
    assert names(db) == {"甲队"}
