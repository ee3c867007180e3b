"""Certificates, and the Excel import with its row report."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from incubator.volunteers import certificates, hours
from incubator.volunteers.models import Certificate, Volunteer

HEADER = [
    "姓名*",
    "性别",
    "出生年份*",
    "手机号*",
    "小区",
    "技能",
    "可服务时间",
    "加入日期",
    "身份证号",
    "监护人姓名",
    "监护人同意日期",
    "身份",
]

# Every volunteer belongs to a community (migration 0011): the deployment has one.
pytestmark = pytest.mark.usefixtures("community")


def test_certificate_is_recorded_with_a_unique_number(
    client, login_as, make_org, make_volunteer, db
):
    admin = login_as("admin")
    org = make_org("舞蹈队")
    volunteer = make_volunteer(
        org, name="王秀英", id_number="11010519491231002X", birth_year=1949
    )
    hours.record_service(
        volunteer,
        org,
        actor=admin,
        served_on=date(2026, 1, 5),
        hours="3",
        service="排练",
    )
    db.session.commit()
    response = client.post(
        f"/volunteers/{volunteer.id}/certificates", data={"issuer_name": "舞蹈队"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "志愿服务记录证明" in page and "王秀英" in page and "3.0" in page
    assert "1101**********002X" in page and "11010519491231002X" not in page
    second = certificates.issue_certificate(
        volunteer, actor=admin, issuer_name="舞蹈队"
    )
    db.session.commit()
    numbers = db.session.scalars(select(Certificate.number)).all()
    assert len(set(numbers)) == 2 and second.number in numbers


def _roster(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data, **extra):
    return client.post(
        "/volunteers/import",
        data={"file": (BytesIO(data), "roster.xlsx"), **extra},
        content_type="multipart/form-data",
    )


def test_template_has_chinese_headers(client, login_as):
    login_as("social_worker")
    response = client.get("/volunteers/import/template.xlsx")
    sheet = load_workbook(BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:4] == ["姓名*", "性别", "出生年份*", "手机号*"]


def test_planted_errors_are_reported_and_only_valid_rows_imported(
    frozen_time, client, login_as, make_org, make_volunteer, db
):
    login_as("social_worker")
    org = make_org("舞蹈队")
    make_volunteer(phone="13900000001")
    data = _roster(
        [
            [
                "好人甲",
                "女",
                "1960",
                "13900000002",
                "",
                "舞蹈",
                "周末",
                "",
                "",
                "",
                "",
                "骨干",
            ],
            ["坏电话", "女", "1960", "1390000", "", "", "", "", "", "", "", ""],
            [
                "数字身份证",
                "男",
                "1949",
                "13900000003",
                "",
                "",
                "",
                "",
                110105194912310020,
                "",
                "",
                "",
            ],
            ["", "女", "1960", "13900000004", "", "", "", "", "", "", "", ""],
            ["重复名册", "女", "1960", "13900000001", "", "", "", "", "", "", "", ""],
            ["好人乙", "男", "1955", "13900000005", "", "", "", "", "", "", "", ""],
            ["文件内重复", "男", "1955", "13900000005", "", "", "", "", "", "", "", ""],
            ["浮点电话", "男", "1955", 13900000006.0, "", "", "", "", "", "", "", ""],
            ["小孩", "男", "2017", "13900000007", "", "", "", "", "", "", "", ""],
        ]
    )
    response = _upload(client, data, organization_id=str(org.id))
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    import re

    assert "共读取 9 行：3 行可导入，6 行有错误" in report, re.findall(
        r"<p>([^<]*)</p>", report
    )
    table = report[report.index('id="import-errors"') :]
    for line, text in (
        (3, "手机号应为"),
        (4, "身份证号（I 列）以数字格式保存，且超过 15 位"),
        (5, "姓名 为必填项"),
        (6, "已在名册中"),
        (8, "与本文件第 7 行"),
        (10, "监护人"),
    ):
        row = table[table.index(f"<td>{line}</td>") :].split("</tr>")[0]
        assert text in row, (line, row)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1
    batch_url = response.headers["Location"]
    confirm = client.post(batch_url + "/confirm")
    assert confirm.status_code == 302
    names = set(db.session.scalars(select(Volunteer.name)))
    # a phone typed as a number (WPS saves it as 13900000006.0) is its digits
    assert names == {"志愿者", "好人甲", "好人乙", "浮点电话"}
    assert (
        db.session.scalar(select(Volunteer.phone).where(Volunteer.name == "浮点电话"))
        == "13900000006"
    )
    good = db.session.scalar(select(Volunteer).where(Volunteer.name == "好人甲"))
    assert [(m.organization_id, m.role) for m in good.memberships] == [
        (org.id, "backbone")
    ]


def test_nothing_is_half_imported(client, login_as, make_volunteer, db):
    login_as("social_worker")
    data = _roster(
        [
            ["甲", "女", "1960", "13900000011", "", "", "", "", "", "", "", ""],
            ["乙", "女", "1960", "13900000012", "", "", "", "", "", "", "", ""],
        ]
    )
    response = _upload(client, data)
    # between the report and the confirmation, someone adds row 3's phone
    make_volunteer(phone="13900000012")
    confirm = client.post(
        response.headers["Location"] + "/confirm", follow_redirects=True
    )
    assert "第 3 行的志愿者已在此期间被加入名册" in confirm.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1


def test_not_an_excel_file_is_a_clear_error(client, login_as):
    login_as("social_worker")
    response = _upload(client, b"name,phone\n")
    assert response.status_code == 200
    assert ".xlsx" in response.get_data(as_text=True)


def _rows(count: int, start: int = 0) -> list[list]:
    return [
        [f"志愿者{i}", "女", "1960", f"137{i:08d}", "", "舞蹈", "周末"]
        + ["", "", "", "", ""]
        for i in range(start, start + count)
    ]


def test_import_queries_do_not_grow_with_rows(
    client, login_as, make_org, db, count_queries
):
    """Speed is timed by `make bench`; here an N+1 (a query per row) fails."""
    login_as("admin")
    org = make_org("舞蹈队")

    def run(rows) -> int:
        with count_queries() as counter:
            response = _upload(client, _roster(rows), organization_id=str(org.id))
            client.post(response.headers["Location"] + "/confirm")
        return counter.count

    small = run(_rows(20))
    large = run(_rows(400, start=20))
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 420
    assert large == small, (small, large)


def test_same_id_number_twice_in_a_file(client, login_as, db):
    login_as("social_worker")
    data = _roster(
        [
            [
                "甲",
                "女",
                "1949",
                "13900000021",
                "",
                "",
                "",
                "",
                "11010519491231002X",
                "",
                "",
                "",
            ],
            [
                "乙",
                "女",
                "1949",
                "13900000022",
                "",
                "",
                "",
                "",
                "11010519491231002X",
                "",
                "",
                "",
            ],
        ]
    )
    response = _upload(client, data)
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "与本文件第 2 行的身份证号重复" in report
    client.post(response.headers["Location"] + "/confirm")
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1


def test_dates_as_text_and_borderline_age(frozen_time, client, login_as, db):
    login_as("social_worker")
    # frozen at 2026-03-01; born 2012-06-01 is 13 (needs consent), 2012-01-01 is 14
    data = _roster(
        [
            [
                "十三岁",
                "男",
                "2012",
                "13900000031",
                "",
                "",
                "",
                "2025/3/1",
                "110105201206010030",
                "",
                "",
                "",
            ],
            [
                "十四岁",
                "男",
                "2012",
                "13900000032",
                "",
                "",
                "",
                "2025年3月1日",
                "110105201201010031",
                "",
                "",
                "",
            ],
            [
                "坏日期",
                "男",
                "1960",
                "13900000033",
                "",
                "",
                "",
                "去年春天",
                "",
                "",
                "",
                "",
            ],
        ]
    )
    response = _upload(client, data)
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    table = report[report.index('id="import-errors"') :]
    row2 = table[table.index("<td>2</td>") :].split("</tr>")[0]
    assert "监护人" in row2
    assert "<td>3</td>" not in table
    row4 = table[table.index("<td>4</td>") :].split("</tr>")[0]
    assert "加入日期 不是有效日期" in row4


def test_leader_cannot_import(client, login_as):
    login_as("org_leader")
    assert client.get("/volunteers/import").status_code == 403
