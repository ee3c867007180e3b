"""Phones and ID numbers typed in full-width digits, with spaces, dashes or +86 are
the same numbers everywhere: on the page, through the API and in the Excel import
(issue 13, "Chinese input")."""

from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from incubator.volunteers.models import Volunteer

# Every volunteer belongs to a community (migration 0011): the deployment has one.
pytestmark = pytest.mark.usefixtures("community")

HALF_WIDTH = "139１２３４００９８"  # the last 8 digits typed in full width
ALL_WIDTH = "１３９１２３４００９８"
STORED = "13912340098"
# 1958-01-01, right check digit X (GB 11643): in full-width digits, ASCII X.
ID_WIDE = "３５０２０６１９５８０１０１１２８X"
ID_ASCII = "35020619580101128X"
HEADER = ["姓名*", "性别", "出生年份*", "手机号*", "小区", "技能", "可服务时间"]
HEADER += ["加入日期", "身份证号", "监护人姓名", "监护人同意日期", "身份"]


def _form(**overrides):
    data = {
        "name": "王秀英",
        "gender": "female",
        "birth_year": "1958",
        "phone": "13700000001",
        "status": "active",
        "role": "member",
    }
    data.update(overrides)
    return data


def _phones(db):
    return sorted(db.session.scalars(select(Volunteer.phone)))


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Volunteer))


@pytest.mark.parametrize("typed", [HALF_WIDTH, ALL_WIDTH, "+86 139-1234-0098"])
def test_page_stores_the_phone_in_ascii_and_the_ascii_twin_is_a_duplicate(
    sw_client, db, typed
):
    client, _sw = sw_client
    assert client.post("/volunteers/new", data=_form(phone=typed)).status_code == 302
    assert _phones(db) == [STORED]
    again = client.post("/volunteers/new", data=_form(name="李四", phone=STORED))
    assert again.status_code == 200
    assert "已在名册中" in again.get_data(as_text=True)
    assert _count(db) == 1
    client.post("/volunteers/search", data={"phone_tail": "0098"})
    assert "王秀英" in client.get("/volunteers").get_data(as_text=True)


def test_phone_with_ideographic_spaces_is_one_number(sw_client, db):
    client, _sw = sw_client
    response = client.post(
        "/volunteers/new", data=_form(phone="139\u30001234\u30000098")
    )
    assert response.status_code == 302
    assert _phones(db) == [STORED]


@pytest.mark.parametrize("typed", [HALF_WIDTH, ALL_WIDTH])
def test_api_stores_the_phone_in_ascii_and_refuses_the_ascii_twin(
    client, api_token, db, typed
):
    headers = api_token("social_worker")
    body = {"name": "王秀英", "birth_year": 1958, "phone": typed}
    response = client.post("/api/v1/volunteers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert _phones(db) == [STORED]
    twin = client.post(
        "/api/v1/volunteers",
        json={"name": "李四", "birth_year": 1960, "phone": STORED},
        headers=headers,
    )
    assert twin.status_code == 422
    assert "phone" in twin.get_json()["error"]["fields"]
    found = client.post(
        "/api/v1/volunteers/search", json={"phone_tail": "0098"}, headers=headers
    ).get_json()
    assert [item["name"] for item in found["items"]] == ["王秀英"]
    wide_tail = client.post(
        "/api/v1/volunteers/search", json={"phone_tail": "００９８"}, headers=headers
    ).get_json()
    assert wide_tail["total"] == 1


def test_page_stores_a_full_width_id_number_in_ascii_and_catches_the_twin(
    sw_client, db
):
    client, _sw = sw_client
    response = client.post("/volunteers/new", data=_form(id_number=ID_WIDE))
    assert response.status_code == 302
    assert db.session.scalar(select(Volunteer.id_number)) == ID_ASCII
    twin = client.post(
        "/volunteers/new",
        data=_form(name="李四", phone="13700000002", id_number=ID_ASCII.lower()),
    )
    assert twin.status_code == 200
    assert "身份证号已在名册中" in twin.get_data(as_text=True)
    assert _count(db) == 1


def test_api_stores_a_full_width_id_number_in_ascii_and_catches_the_twin(
    client, api_token, db
):
    headers = api_token("social_worker")
    first = {"name": "王秀英", "birth_year": 1958, "phone": "13700000001"}
    response = client.post(
        "/api/v1/volunteers", json={**first, "id_number": ID_WIDE}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(select(Volunteer.id_number)) == ID_ASCII
    twin = client.post(
        "/api/v1/volunteers",
        json={**first, "phone": "13700000002", "id_number": ID_ASCII},
        headers=headers,
    )
    assert twin.status_code == 422
    assert list(twin.get_json()["error"]["fields"]) == ["id_number"]


# Each has a right check digit; the birth date does not exist.
IMPOSSIBLE_BIRTH_DATES = [
    ("350206196502302188", "1965-02-30"),
    ("350206196513012119", "1965-13-01"),
    ("350206196500002114", "1965-00-00"),
    ("35020619650431211X", "1965-04-31"),
]


@pytest.mark.parametrize("number, day", IMPOSSIBLE_BIRTH_DATES)
def test_id_number_with_an_impossible_birth_date_is_refused_naming_it(
    sw_client, client, api_token, db, number, day
):
    page_client, _sw = sw_client
    page = page_client.post(
        "/volunteers/new", data=_form(birth_year="1965", id_number=number)
    )
    assert page.status_code == 200
    assert day in page.get_data(as_text=True)
    headers = api_token("admin")
    api = client.post(
        "/api/v1/volunteers",
        json={
            "name": "王秀英",
            "birth_year": 1965,
            "phone": "13700000009",
            "id_number": number,
        },
        headers=headers,
    )
    assert api.status_code == 422
    assert day in api.get_json()["error"]["fields"]["id_number"][0]
    assert _count(db) == 0


def test_id_birth_date_must_agree_with_the_birth_year(sw_client, db):
    client, _sw = sw_client
    response = client.post(
        "/volunteers/new", data=_form(birth_year="1960", id_number=ID_ASCII)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1958-01-01" in page and "1960" in page
    assert _count(db) == 0


def _roster(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row + [""] * (len(HEADER) - len(row)))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, rows):
    response = client.post(
        "/volunteers/import",
        data={"file": (BytesIO(_roster(rows)), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.headers["Location"], report


def test_import_normalizes_phones_and_id_numbers_and_finds_duplicates(
    client, login_as, make_volunteer, db
):
    login_as("social_worker")
    make_volunteer(name="老会员", phone="13700000001")
    url, report = _import(
        client,
        [
            ["全角电话", "女", "1958", HALF_WIDTH, "", "", "", "", ID_WIDE],
            ["全角重复", "女", "1958", ALL_WIDTH],
            ["名册重复", "女", "1958", "137\u30000000\u30000001"],
            ["身份证重复", "女", "1958", "13700000003", "", "", "", "", ID_ASCII],
            [
                "日期不存在",
                "女",
                "1965",
                "13700000004",
                "",
                "",
                "",
                "",
                "350206196502302188",
            ],
            ["全角年份", "男", "１９６０", "+86-137-0000-0005"],
        ],
    )
    table = report[report.index('id="import-errors"') :]
    for line, text in (
        (3, "与本文件第 2 行"),
        (4, "已在名册中"),
        (5, "与本文件第 2 行"),
        (6, "1965-02-30"),
    ):
        row = table[table.index(f"<td>{line}</td>") :].split("</tr>")[0]
        assert text in row, (line, row)
    assert client.post(url + "/confirm").status_code == 302
    imported = {
        v.name: (v.phone, v.id_number, v.birth_year)
        for v in db.session.scalars(select(Volunteer))
    }
    assert imported == {
        "老会员": ("13700000001", None, 1960),
        "全角电话": (STORED, ID_ASCII, 1958),
        "全角年份": ("13700000005", None, 1960),
    }


def test_import_refuses_other_scripts_digits_and_bidi_controls(client, login_as, db):
    login_as("social_worker")
    _url, report = _import(
        client,
        [
            ["阿拉伯数字", "女", "١٩٦٠", "13700000006"],
            ["\u202e队伍名", "女", "1960", "13700000007"],
        ],
    )
    table = report[report.index('id="import-errors"') :]
    row = table[table.index("<td>2</td>") :].split("</tr>")[0]
    assert "0 到 9" in row
    row = table[table.index("<td>3</td>") :].split("</tr>")[0]
    assert "方向控制字符" in row
