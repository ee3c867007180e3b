"""The roster import reads spreadsheets as people really save them: WPS files that
declare a used range of A1, phones typed as numbers, the template's example row
left in (or half edited), and a report that names who goes in before anything is
saved."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from incubator.volunteers.importer import COLUMNS, EXAMPLE_PHONE
from incubator.volunteers.models import Membership, RosterImport, Volunteer

HEADER = [f"{h}*" if required else h for h, _k, required in COLUMNS]
KEYS = [key for _h, key, _r in COLUMNS]

# Every volunteer belongs to a community (migration 0011): the deployment has one.
pytestmark = pytest.mark.usefixtures("community")


def row(name, phone, **others) -> list:
    """One roster row in the template's column order; birth year 1960 by default."""
    values = {"name": name, "phone": phone, "birth_year": "1960", **others}
    return [values.get(key, "") for key in KEYS]


def wps_file(rows, *, raw: dict[str, str] | None = None) -> bytes:
    """An .xlsx as WPS saves it: the sheet declares ``<dimension ref="A1"/>``
    whatever it holds. ``raw`` writes number cells verbatim into the sheet XML
    (``{"D3": "13700000003.0"}``, as WPS writes a phone typed as a number); those
    cells must hold a number (e.g. 0) in ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    saved = BytesIO()
    book.save(saved)
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml, found = re.subn(
                    r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1"/>', xml
                )
                assert found == 1
                for ref, text in (raw or {}).items():
                    xml, found = re.subn(
                        rf'(<c r="{ref}" t="n"><v>)[^<]*(</v>)',
                        rf"\g<1>{text}\g<2>",
                        xml,
                    )
                    assert found == 1, ref
                data = xml.encode()
            target.writestr(item, data)
    return out.getvalue()


def _upload(client, data, **extra):
    return client.post(
        "/volunteers/import",
        data={"file": (BytesIO(data), "名册.xlsx"), **extra},
        content_type="multipart/form-data",
    )


def _report(client, data, **extra) -> tuple[str, str]:
    response = _upload(client, data, **extra)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def _table(page: str, table_id: str) -> dict[int, str]:
    """``{row number: the row's html}`` of one report table."""
    body = page[page.index(f'id="{table_id}"') :].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", body)
    return {int(line): html for line, html in rows}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Volunteer))


def test_wps_sheet_declaring_a1_imports_every_row(client, login_as, db):
    login_as("social_worker")
    data = wps_file(
        [
            row("王秀英", "13700000001"),
            row("李建国", "13700000002", skills="摄影、舞蹈", availability="周末"),
            row("赵兰", "13700000003", role="骨干", joined_on="2025-03-01"),
        ]
    )
    # the file really has the fault: streamed as it declares itself, it is one cell
    declared = load_workbook(BytesIO(data), read_only=True).worksheets[0]
    assert (declared.max_row, declared.max_column) == (1, 1)
    url, report = _report(client, data)
    assert "共读取 3 行：3 行可导入，0 行有错误" in report
    client.post(url + "/confirm")
    volunteers = {v.name: v for v in db.session.scalars(select(Volunteer))}
    assert {v.phone for v in volunteers.values()} == {
        "13700000001",
        "13700000002",
        "13700000003",
    }
    for volunteer in volunteers.values():
        assert volunteer.number == f"V{volunteer.id:06d}"
    li = volunteers["李建国"]
    assert [s.skill for s in li.skills] == ["摄影", "舞蹈"]
    assert li.availability == ["weekend"]
    assert volunteers["赵兰"].joined_on == date(2025, 3, 1)


def test_numbers_typed_in_text_columns_are_read_as_text(client, login_as, make_org, db):
    login_as("social_worker")
    org = make_org("舞蹈队")
    data = wps_file(
        [
            row("整数电话", 13700000003),
            row("浮点电话", 0),
            row("数字年份", "13700000005", birth_year=1962),
            row("浮点年份", "13700000006", birth_year=0),
        ],
        raw={"D3": "13700000004.0", "C5": "1962.0"},
    )
    url, report = _report(client, data, organization_id=str(org.id))
    assert "共读取 4 行：4 行可导入，0 行有错误" in report
    client.post(url + "/confirm")
    joined = db.session.scalars(select(Membership.organization_id)).all()
    assert joined == [org.id] * 4
    stored = dict(db.session.execute(select(Volunteer.name, Volunteer.phone)).all())
    assert stored == {
        "整数电话": "13700000003",
        "浮点电话": "13700000004",
        "数字年份": "13700000005",
        "浮点年份": "13700000006",
    }
    years = set(db.session.scalars(select(Volunteer.birth_year)))
    assert years == {1960, 1962}


def test_numbers_that_lost_digits_are_refused_naming_row_and_column(
    client, login_as, db
):
    login_as("social_worker")
    data = wps_file(
        [
            # Excel keeps 15 digits: the ID typed as a number is 1.1010519491231E+17
            row("浮点身份证", "13700000011", birth_year="1949", id_number=0),
            row("整数身份证", "13700000012", birth_year="1949", id_number=0),
            row("长电话", 0),
            row("好人", "13700000014"),
        ],
        raw={
            "I2": "1.1010519491231E+17",
            "I3": "110105194912310020",
            "D4": "1370000001300000",
        },
    )
    url, report = _report(client, data)
    assert "共读取 4 行：1 行可导入，3 行有错误" in report
    refused = _table(report, "import-errors")
    assert set(refused) == {2, 3, 4}
    for line, column in (
        (2, "身份证号（I 列）"),
        (3, "身份证号（I 列）"),
        (4, "手机号（D 列）"),
    ):
        assert f"{column}以数字格式保存，且超过 15 位" in refused[line], refused[line]
        assert "设为文本格式" in refused[line]
    assert "浮点身份证" in refused[2]
    client.post(url + "/confirm")
    assert list(db.session.scalars(select(Volunteer.name))) == ["好人"]


def _filled_template(client, rows: dict[int, list]) -> bytes:
    """The downloaded template with ``rows`` typed in at the given row numbers
    (row 2 is the template's example)."""
    book = load_workbook(BytesIO(client.get("/volunteers/import/template.xlsx").data))
    sheet = book.worksheets[0]
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column).value = value
    saved = BytesIO()
    book.save(saved)
    return saved.getvalue()


def test_template_says_how_its_example_row_is_treated(client, login_as):
    login_as("social_worker")
    book = load_workbook(BytesIO(client.get("/volunteers/import/template.xlsx").data))
    example = [cell.value for cell in book.worksheets[0][2]]
    assert example[0].startswith("示例") and example[3] == EXAMPLE_PHONE
    notes = " ".join(str(c.value) for c in book["填写说明"]["A"])
    assert "示例" in notes and EXAMPLE_PHONE in notes and "跳过" in notes


def test_example_row_left_as_is_is_skipped(client, login_as, db):
    login_as("social_worker")
    data = _filled_template(
        client,
        {3: row("王秀英", "13700000021"), 4: row("李建国", "13700000022")},
    )
    url, report = _report(client, data)
    assert "第 2 行是模板中的示例，已跳过，不会导入" in report
    assert "共读取 2 行：2 行可导入，0 行有错误" in report
    assert set(_table(report, "import-rows")) == {3, 4}
    assert "张三" not in report[report.index('id="import-rows"') :]
    client.post(url + "/confirm")
    assert set(db.session.scalars(select(Volunteer.name))) == {"王秀英", "李建国"}


def test_example_row_half_edited_is_still_skipped(client, login_as, db):
    login_as("social_worker")
    data = wps_file(
        [
            # name replaced, the example's phone kept
            row("李四", EXAMPLE_PHONE),
            # phone replaced, the marked name kept
            row("示例：张三", "13700000031"),
            # the example of templates downloaded before the mark
            row("张三", EXAMPLE_PHONE, gender="女", birth_year="1962"),
            row("王秀英", "13700000032"),
        ]
    )
    url, report = _report(client, data)
    for line in (2, 3, 4):
        assert f"第 {line} 行是模板中的示例" in report
    assert "共读取 1 行：1 行可导入，0 行有错误" in report
    assert "与本文件第" not in report
    client.post(url + "/confirm")
    assert list(db.session.scalars(select(Volunteer.name))) == ["王秀英"]


def test_example_row_typed_over_with_a_real_volunteer_is_imported(client, login_as, db):
    login_as("social_worker")
    data = _filled_template(client, {2: row("王秀英", "13700000041")})
    url, report = _report(client, data)
    assert "示例" not in report
    assert set(_table(report, "import-rows")) == {2}
    client.post(url + "/confirm")
    assert list(db.session.scalars(select(Volunteer.name))) == ["王秀英"]


def test_report_names_who_goes_in_and_who_not_before_saving(
    client, login_as, make_org, db
):
    login_as("social_worker")
    org = make_org("舞蹈队")
    data = wps_file(
        [
            row("王秀英", "13700000051"),
            row("坏电话", "1370000"),
            row("李建国", "13700000053", birth_year="1955"),
        ]
    )
    url, report = _report(client, data, organization_id=str(org.id))
    going = _table(report, "import-rows")
    assert set(going) == {2, 4}
    assert "王秀英" in going[2] and "137****0051" in going[2]
    assert "李建国" in going[4] and "1955" in going[4]
    refused = _table(report, "import-errors")
    assert set(refused) == {3}
    assert "坏电话" in refused[3] and "手机号" in refused[3]
    assert "将导入以下 2 名志愿者" in report and "他们将加入“舞蹈队”" in report
    assert "导入这 2 名志愿者" in report
    assert _count(db) == 0
    client.post(url + "/confirm")
    assert set(db.session.scalars(select(Volunteer.name))) == {"王秀英", "李建国"}
    # once closed, the upload keeps no resident's name
    closed = client.get(url).get_data(as_text=True)
    assert "坏电话" not in closed and "王秀英" not in closed
    batch = db.session.scalar(select(RosterImport))
    db.session.refresh(batch)
    assert batch.rows == [] and all("name" not in entry for entry in batch.report)


def test_discarded_upload_keeps_no_names(client, login_as, db):
    login_as("social_worker")
    url, report = _report(
        client, wps_file([row("王秀英", "13700000061"), row("坏电话", "1")])
    )
    assert "王秀英" in report and "坏电话" in report
    client.post(url + "/discard")
    closed = client.get(url).get_data(as_text=True)
    assert "王秀英" not in closed and "坏电话" not in closed
    # the problems stay, without the name
    assert "手机号" in _table(closed, "import-errors")[3]
    assert _count(db) == 0


def _workbook(*rows) -> bytes:
    book = Workbook()
    for values in rows:
        book.active.append(values)
    saved = BytesIO()
    book.save(saved)
    return saved.getvalue()


def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(
    client, login_as, db
):
    login_as("social_worker")
    data = _workbook(
        ["禾山社区志愿者名册（2026年）"],
        [],
        HEADER,
        row("王秀英", "13700000001"),
        row("李建国", "123"),
    )
    url, report = _report(client, data)
    assert "共读取 2 行：1 行可导入，1 行有错误" in report
    # line numbers are the spreadsheet's own, counted from the title row
    assert "王秀英" in _table(report, "import-rows")[4]
    assert "李建国" in _table(report, "import-errors")[5]
    client.post(url + "/confirm")
    assert [v.name for v in db.session.scalars(select(Volunteer))] == ["王秀英"]


def test_a_sheet_without_the_template_header_is_refused_naming_what_is_missing(
    client, login_as, db
):
    login_as("social_worker")
    data = _workbook(["名字", "电话"], ["王秀英", "13700000001"])
    response = _upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "前 5 行中没有找到模板的表头行" in page
    assert "姓名、出生年份、手机号" in page
    assert _count(db) == 0


def test_a_header_spaced_out_to_line_up_is_found(client, login_as, db):
    # Chinese forms pad two-character headers to the width of longer ones with
    # an ideographic or ASCII space: "姓　名", "手 机 号".
    login_as("social_worker")
    spaced = {"姓名*": "姓　名*", "手机号*": "手 机 号 *", "出生年份*": " 出生年份＊"}
    data = _workbook([spaced.get(h, h) for h in HEADER], row("王秀英", "13700000001"))
    url, report = _report(client, data)
    assert "共读取 1 行：1 行可导入，0 行有错误" in report
    client.post(url + "/confirm")
    assert [v.name for v in db.session.scalars(select(Volunteer))] == ["王秀英"]


def _book_with_sheets(*sheets) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    saved = BytesIO()
    book.save(saved)
    return saved.getvalue()


@pytest.mark.parametrize(
    "before",
    [
        ("Sheet1", []),  # an empty sheet left in front
        ("填表说明", [["请按模板填写，每行一名志愿者。"], ["手机号填 11 位。"]]),
    ],
)
def test_the_roster_on_a_later_sheet_is_read(client, login_as, db, before):
    login_as("social_worker")
    data = _book_with_sheets(before, ("名册", [HEADER, row("王秀英", "13700000001")]))
    url, report = _report(client, data)
    assert "共读取 1 行：1 行可导入，0 行有错误" in report
    # the row number is the roster sheet's own
    assert "王秀英" in _table(report, "import-rows")[2]
    client.post(url + "/confirm")
    assert [v.name for v in db.session.scalars(select(Volunteer))] == ["王秀英"]


def test_a_workbook_with_no_roster_sheet_names_what_the_first_lacks(
    client, login_as, db
):
    login_as("social_worker")
    data = _book_with_sheets(
        ("Sheet1", [["名字", "手机号"]]), ("Sheet2", []), ("Sheet3", [["备注"]])
    )
    response = _upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "前 5 行中没有找到模板的表头行" in page
    assert "缺少：姓名、出生年份。" in page
    assert _count(db) == 0


def _damaged(old: bytes, new: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A roster whose ``part`` has ``old`` replaced by ``new`` (not well-formed)."""
    source = _workbook(HEADER, row("王秀英", "13700000001"))
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(source)) as book,
        zipfile.ZipFile(out, "w") as target,
    ):
        for item in book.infolist():
            data = book.read(item.filename)
            if item.filename == part:
                assert old in data
                data = data.replace(old, new)
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "old, new, part",
    [
        ("王秀英".encode(), "王\x01秀英".encode(), "xl/worksheets/sheet1.xml"),
        ("王秀英".encode(), "王&#0;秀英".encode(), "xl/worksheets/sheet1.xml"),
        (b"</sheetData>", b"<row>", "xl/worksheets/sheet1.xml"),  # cut off
        (b"</sheets>", b"<sheets>", "xl/workbook.xml"),  # read when opened
        (b"</styleSheet>", b"<x>", "xl/styles.xml"),
    ],
)
def test_a_damaged_sheet_is_refused_with_a_message_not_a_500(
    client, login_as, db, old, new, part
):
    login_as("social_worker")
    response = _upload(client, _damaged(old, new, part))
    assert response.status_code == 200
    assert "这不是 .xlsx 文件" in response.get_data(as_text=True)
    assert _count(db) == 0
