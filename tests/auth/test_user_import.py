"""系统管理 → 用户 → 导入: accounts from Excel with their scope, admins only."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from incubator.auth.models import User
from incubator.auth.passwords import verify_password
from incubator.community.models import Community
from incubator.community.scope import scope_ids

HEADER = ["姓名", "用户名", "角色", "邮箱", "社区", "初始密码"]


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
        "/admin/users/import",
        data={"file": (BytesIO(data), "用户.xlsx")},
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


@pytest.fixture
def two_communities(db, community):
    other = Community(name="海湾社区", district="湖里区", city="厦门市")
    db.session.add(other)
    db.session.commit()
    return community, other


def usernames(db) -> set[str]:
    return set(db.session.scalars(select(User.username)))


def test_report_then_confirm_creates_exactly_the_good_rows_with_scopes(
    client, login_as, db, two_communities, make_user
):
    home, other = two_communities
    make_user("viewer", username="taken")
    admin = login_as("admin")
    data = workbook(
        ["示例：张三", "zhangsan", "社工"],
        ["林芳", "linfang", "社工", "lin@example.org", "测试社区", "Secret-pass-1"],
        [
            "王街道",
            "wangjd",
            "Street / civil affairs observer",
            "",
            "测试社区、海湾社区",
        ],
        ["陈主管", "chenzg", "admin"],
        ["坏角色", "badrole", "厨师"],
        ["重名", "taken", "社工"],
        ["重复", "linfang", "社工"],
        ["没社区", "nocomm", "社工", "", "火星社区"],
        ["坏邮箱", "bademail", "社工", "not-an-email"],
        ["弱密码", "weakpw", "社工", "", "", "weakpw"],
        ["坏名", "Bad Name!", "社工"],
    )
    url, page = report(client, data)
    assert "共读取 10 行：3 行可导入，7 行有错误" in page
    errors = errors_of(page)
    assert "未知的角色" in errors[6]
    assert "taken" in errors[7]
    assert "与本文件第 3 行的用户名相同" in errors[8]
    assert "未知的社区" in errors[9]
    assert "邮箱" in errors[10]
    assert 11 in errors and 12 in errors
    assert "Secret-pass-1" not in page
    assert usernames(db) == {"taken", admin.username}

    done = client.post(url + "/confirm")
    assert done.status_code == 200
    shown = done.get_data(as_text=True)
    assert "已导入 3 个用户" in shown
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert set(users) == {"taken", admin.username, "linfang", "wangjd", "chenzg"}
    lin, wang, chen = users["linfang"], users["wangjd"], users["chenzg"]
    assert (lin.role, lin.email, scope_ids(lin)) == (
        "social_worker",
        "lin@example.org",
        frozenset({home.id}),
    )
    assert verify_password(lin.password_hash, "Secret-pass-1")
    assert (wang.role, scope_ids(wang)) == ("viewer", frozenset({home.id, other.id}))
    assert (chen.role, scope_ids(chen)) == ("admin", None)
    # The generated passwords are on this page, once, and they work.
    for user in (wang, chen):
        password = re.search(
            rf"<td>{user.username}</td><td>[^<]*</td><td><code>([^<]+)</code>", shown
        )[1]
        assert verify_password(user.password_hash, password)
    # A second confirm creates nothing more, and the passwords are gone.
    client.post(url + "/confirm")
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    assert "Secret-pass-1" not in client.get(url).get_data(as_text=True)


def test_confirm_rechecks_and_creates_nobody_if_a_row_fails(
    client, login_as, db, community, make_user
):
    login_as("admin")
    url, _page = report(
        client, workbook(["甲", "jiajia", "社工"], ["乙", "yiyi", "社工"])
    )
    make_user("viewer", username="yiyi")  # created meanwhile
    response = client.post(url + "/confirm", follow_redirects=True)
    assert "第 3 行" in response.get_data(as_text=True)
    assert "jiajia" not in usernames(db)


@pytest.mark.parametrize("role", ["social_worker", "org_leader", "viewer"])
def test_only_admins_import_users(client, login_as, role, community):
    login_as(role)
    assert client.get("/admin/users/import").status_code == 403
    assert client.get("/admin/users/import/template.xlsx").status_code == 403
    assert upload(client, workbook(["甲", "jia", "社工"])).status_code == 403


def test_template_and_pages_at_a_query_budget(
    client, login_as, community, count_queries
):
    login_as("admin")
    with count_queries() as q:
        template = client.get("/admin/users/import/template.xlsx")
    assert template.status_code == 200 and q.count <= 4
    assert [
        c.value.rstrip("*")
        for c in load_workbook(BytesIO(template.data)).worksheets[0][1]
    ] == HEADER
    rows = [[f"用户{i}", f"user{i}", "社工", "", "测试社区"] for i in range(30)]
    with count_queries() as q:
        url, _page = report(client, workbook(*rows))
    assert q.count <= 20, q.statements
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count <= 8, q.statements
    with count_queries() as q:
        assert client.get("/admin/users/import").status_code == 200
    assert q.count <= 6, q.statements
    assert "/admin/users/import" in client.get("/admin/users").get_data(as_text=True)


def test_cli_import_prints_generated_passwords(app, db, community, make_user, tmp_path):
    make_user("admin")
    path = tmp_path / "users.xlsx"
    path.write_bytes(
        workbook(["甲", "jia", "社工", "", "测试社区"], ["乙", "yi", "厨师"])
    )
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["users", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 3" in dry.output and "jia" not in usernames(db)
    done = runner.invoke(args=["users", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "Imported 1 users" in done.output
    password = re.search(r"^jia\t(\S+)$", done.output, re.M)[1]
    db.session.expire_all()
    jia = db.session.scalar(select(User).where(User.username == "jia"))
    assert verify_password(jia.password_hash, password)
    assert scope_ids(jia) == frozenset({community.id})
