"""Chinese first, English second; the catalogue covers every string of the code."""

from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from incubator.i18n import date_filter, datetime_filter
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "incubator/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
}


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def _code_messages() -> set[str]:
    found = set()
    for source, method in (
        (ROOT / "incubator", "python"),
        (ROOT / "templates", "jinja2"),
    ):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(source), method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_has_a_chinese_translation():
    catalogue = _catalogue()
    untranslated = sorted(m.id for m in catalogue if m.id and not m.string)
    assert not untranslated, f"run `make messages` and translate: {untranslated}"
    missing = sorted(_code_messages() - {m.id for m in catalogue if m.id})
    assert not missing, f"strings missing from the catalogue (make messages): {missing}"


def test_language_switch_shows_english_and_back(client, make_user):
    user = make_user(name="Lin")
    login(client, user.username)
    assert "组织" in client.get("/").get_data(as_text=True)
    response = client.get("/language/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Organizations" in page and "Volunteers" in page and 'lang="en"' in page
    client.get("/language/zh?next=/")
    assert "志愿者" in client.get("/").get_data(as_text=True)


def test_login_page_in_english(client):
    client.get("/language/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_browser_asking_for_english_still_gets_chinese_first(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "登录" in page.get_data(as_text=True)


def test_dates_zh_cn_in_shanghai(app):
    with app.test_request_context("/"):
        assert date_filter(date(2020, 3, 1)) == "2020年3月1日"
        # 2020-02-29 17:30 UTC is 2020-03-01 01:30 in Asia/Shanghai
        moment = datetime(2020, 2, 29, 17, 30, tzinfo=UTC)
        assert date_filter(moment) == "2020年3月1日"
        assert datetime_filter(moment) == "2020年3月1日 01:30"
