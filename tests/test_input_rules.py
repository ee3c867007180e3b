"""One rule for numbers, dates and invisible direction controls on every entry
point (issue 13, "Chinese input"): full-width digits are read as ASCII; other
scripts' digits, exponents, NaN, true/false as a count and a number as a date are
refused with a clear message; bidirectional controls are refused in names and
titles (indeed in every text) on pages and through the API."""

import re
import typing
from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from incubator import load_api_modules
from incubator.activities.models import ResourceLink
from incubator.api.core import ROUTES
from incubator.organizations.models import Organization
from incubator.volunteers.models import Volunteer


@pytest.fixture(autouse=True)
def _set_up_community(community):
    """Records belong to a community (issue 15): the instance has one."""
    return community

load_api_modules()  # the walks below are parametrized from every endpoint

ZH = {"Accept-Language": "zh-CN"}
DIGITS_ZH = "0 到 9"
BIDI_ZH = "方向控制字符"
ARABIC_INDIC_16 = "\u0661\u0666"
BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
BIDI_CONTROLS += ["\u2066", "\u2067", "\u2068", "\u2069"]
# The rest of Unicode's Bidi_Control property: the marks LRM, RLM and ALM
# reorder what is shown just as well.
BIDI_CONTROLS += ["\u200e", "\u200f", "\u061c"]


def _org_body(**fields):
    return {"name": "平安巡逻队", "kind": "volunteer", **fields}


# ---- API ----


@pytest.mark.parametrize(
    "sent, stored", [("１６", 16), (" 16 ", 16), (16, 16), ("１６ ", 16)]
)
def test_api_reads_a_full_width_count(client, api_token, community, sent, stored):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations", json=_org_body(member_count=sent), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["member_count"] == stored


@pytest.mark.parametrize(
    "sent, message",
    [
        (ARABIC_INDIC_16, DIGITS_ZH),
        ("۱۶", DIGITS_ZH),  # Extended Arabic-Indic
        (False, "整数"),
        (True, "整数"),
        ("1E+2", "整数"),
    ],
)
def test_api_refuses_other_digits_and_booleans_as_a_count(
    client, api_token, community, db, sent, message
):
    headers = {**api_token("social_worker"), **ZH}
    response = client.post(
        "/api/v1/organizations", json=_org_body(member_count=sent), headers=headers
    )
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"]["member_count"][0]
    assert db.session.scalar(select(Organization.id)) is None


def test_api_refuses_nan_and_infinity_in_a_count(client, api_token, community):
    headers = api_token("social_worker")
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = '{"name": "巡逻队", "kind": "other", "member_count": ' + literal + "}"
        response = client.post(
            "/api/v1/organizations",
            data=raw,
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 422, literal
        assert "member_count" in response.get_json()["error"]["fields"]


def test_api_refuses_a_boolean_as_a_score(client, api_token, make_org):
    org = make_org()
    headers = api_token("admin")
    response = client.post(
        f"/api/v1/organizations/{org.id}/assessments",
        json={"assessed_on": "2026-01-05", "scores": {"governance": True}},
        headers=headers,
    )
    assert response.status_code == 422
    assert "scores.governance" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("sent", [0, 20240301, 1.5, True])
def test_api_refuses_a_number_as_a_date(client, api_token, community, sent):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations", json=_org_body(founded_on=sent), headers=headers
    )
    assert response.status_code == 422
    assert "founded_on" in response.get_json()["error"]["fields"]


def test_api_reads_a_full_width_date(client, api_token, community):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations",
        json=_org_body(founded_on="２０２４-０３-０１"),
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["founded_on"] == "2024-03-01"


def _resource(**fields):
    return {
        "partner": "爱心超市",
        "kind": "goods",
        "value": "1200.50",
        "received_on": "2026-01-05",
        **fields,
    }


@pytest.mark.parametrize(
    "value", ["1E+2", "1e2", "NaN", "Infinity", "-Infinity", "\u0661\u0662", "0x10"]
)
def test_api_refuses_what_is_not_money(client, api_token, db, value):
    headers = {**api_token("admin"), **ZH}
    response = client.post(
        "/api/v1/resources", json=_resource(value=value), headers=headers
    )
    assert response.status_code == 422, response.get_json()
    assert "value" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(ResourceLink.id)) is None


def test_api_reads_full_width_money(client, api_token, db):
    headers = api_token("admin")
    response = client.post(
        "/api/v1/resources", json=_resource(value="１２００．５０"), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["value"] == "1200.50"


@pytest.mark.parametrize(
    "hours, status", [("２.５", 201), ("1E+0", 422), ("\u0662", 422), ("NaN", 422)]
)
def test_api_hours_follow_the_same_rule(
    client, api_token, make_org, make_volunteer, hours, status
):
    org = make_org()
    volunteer = make_volunteer(org)
    headers = api_token("admin")
    response = client.post(
        "/api/v1/hours",
        json={
            "volunteer_id": volunteer.id,
            "organization_id": org.id,
            "served_on": "2026-01-05",
            "hours": hours,
            "service": "探访",
        },
        headers=headers,
    )
    assert response.status_code == status, response.get_json()
    if status == 201:
        assert response.get_json()["hours"] == "2.5"
    else:
        assert "hours" in response.get_json()["error"]["fields"]


def _text_fields(model: type[BaseModel]) -> list[str]:
    """The top-level fields of ``model`` that hold text."""
    names = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = typing.get_args(annotation)
        if annotation is str or set(args) == {str, type(None)}:
            if "password" not in name:
                names.append(name)
    return names


BODY_TEXT_FIELDS = [
    (route.methods[0], route.rule, field)
    for route in ROUTES
    if route.body is not None
    for field in _text_fields(route.body)
]


def _fields_of(model: type[BaseModel], kind: type) -> list[str]:
    """The top-level fields of ``model`` whose type is ``kind`` (or optional)."""
    return [
        name
        for name, info in model.model_fields.items()
        if info.annotation is kind
        or set(typing.get_args(info.annotation)) == {kind, type(None)}
    ]


BODY_NUMBER_FIELDS = [
    (route.methods[0], route.rule, field)
    for route in ROUTES
    if route.body is not None
    for field in _fields_of(route.body, int) + _fields_of(route.body, Decimal)
]
BODY_DATE_FIELDS = [
    (route.methods[0], route.rule, field)
    for route in ROUTES
    if route.body is not None
    for field in _fields_of(route.body, date)
]


def test_the_walks_cover_the_counts_and_dates_named_in_the_issue():
    numbers = {field for _m, _r, field in BODY_NUMBER_FIELDS}
    assert {"member_count", "person_times", "capacity", "attendees"} <= numbers
    assert {"founded_on", "received_on"} <= {f for _m, _r, f in BODY_DATE_FIELDS}


@pytest.mark.parametrize("method, rule, field", BODY_NUMBER_FIELDS)
def test_every_api_number_refuses_other_digits_and_booleans(
    client, api_token, method, rule, field
):
    headers = {**api_token("admin"), **ZH}
    path = "/api/v1" + re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)
    for sent, message in ((ARABIC_INDIC_16, DIGITS_ZH), (False, "true 或 false")):
        response = client.open(path, method=method, json={field: sent}, headers=headers)
        assert response.status_code == 422, (path, response.get_json())
        assert message in response.get_json()["error"]["fields"][field][0], sent


@pytest.mark.parametrize("method, rule, field", BODY_DATE_FIELDS)
def test_every_api_date_refuses_a_number(client, api_token, method, rule, field):
    headers = {**api_token("admin"), **ZH}
    path = "/api/v1" + re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)
    response = client.open(path, method=method, json={field: 0}, headers=headers)
    assert response.status_code == 422, (path, response.get_json())
    assert "YYYY-MM-DD" in response.get_json()["error"]["fields"][field][0]


def test_every_name_and_title_of_the_api_is_checked():
    fields = {field for _m, _r, field in BODY_TEXT_FIELDS}
    assert {"name", "title", "partner"} <= fields


@pytest.mark.parametrize("method, rule, field", BODY_TEXT_FIELDS)
def test_api_refuses_bidi_controls_in_every_text_field(
    client, api_token, method, rule, field
):
    headers = {**api_token("admin"), **ZH}
    path = "/api/v1" + re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)
    response = client.open(
        path, method=method, json={field: "合唱团\u202egnp.exe"}, headers=headers
    )
    assert response.status_code == 422, (path, response.get_json())
    assert BIDI_ZH in response.get_json()["error"]["fields"][field][0]


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_api_refuses_each_bidi_control_in_an_organization_name(
    client, api_token, community, db, control
):
    headers = {**api_token("social_worker"), **ZH}
    response = client.post(
        "/api/v1/organizations",
        json=_org_body(name=f"巡逻{control}队"),
        headers=headers,
    )
    assert response.status_code == 422
    assert BIDI_ZH in response.get_json()["error"]["fields"]["name"][0]
    assert db.session.scalar(select(Organization.id)) is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/volunteers?phone_tail=\u0660\u0660\u0669\u0668",
        "/api/v1/volunteers?phone_tail=\u0966\u0966\u096f\u096e",  # Devanagari
        "/api/v1/activities?month=\u0662\u0660\u0662\u0666-03",
        "/api/v1/hours?month=\u0662\u0660\u0662\u0666-03",
        "/api/v1/reports/monthly?month=\u0662\u0660\u0662\u0666-03",
        "/api/v1/reports/monthly?month=2026-\u0660\u0663",
    ],
)
def test_api_refuses_other_digits_in_a_phone_tail_or_month(client, api_token, url):
    # These filters were matched with a Unicode \d: ٠٠٩٨ found nobody without a
    # word and ٢٠٢٦-03 was read as 2026-03.
    response = client.get(url, headers={**api_token("admin"), **ZH})
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert DIGITS_ZH in next(iter(fields.values()))[0]


def test_api_searches_a_phone_tail_in_full_width_digits(
    client, api_token, make_volunteer
):
    make_volunteer(phone="13912340098")
    headers = api_token("admin")
    for answer in (
        client.get("/api/v1/volunteers?phone_tail=００９８", headers=headers),
        client.post(
            "/api/v1/volunteers/search",
            json={"phone_tail": "００９８"},
            headers=headers,
        ),
    ):
        assert answer.status_code == 200
        assert [v["phone"] for v in answer.get_json()["items"]] == ["13912340098"]


# ---- pages ----


def _org_form(**fields):
    return {"name": "平安巡逻队", "kind": "other", "filing_status": "none", **fields}


def test_page_reads_a_full_width_count(sw_client, community, db):
    client, _sw = sw_client
    response = client.post("/organizations/new", data=_org_form(member_count="１６"))
    assert response.status_code == 302
    assert db.session.scalar(select(Organization.member_count)) == 16


@pytest.mark.parametrize(
    "sent, message",
    [(ARABIC_INDIC_16, DIGITS_ZH), ("1E+2", "普通的数字"), ("1e2", "普通的数字")],
)
def test_page_refuses_other_digits_and_exponents_in_a_count(
    sw_client, community, db, sent, message
):
    client, _sw = sw_client
    response = client.post("/organizations/new", data=_org_form(member_count=sent))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Organization.id)) is None


def test_page_birth_year_follows_the_same_rule(sw_client, db):
    client, _sw = sw_client
    form = {"name": "王秀英", "gender": "female", "phone": "13700000001"}
    form.update(status="active", role="member")
    refused = client.post(
        "/volunteers/new", data={**form, "birth_year": "\u0661\u0669\u0665\u0668"}
    )
    assert refused.status_code == 200
    assert DIGITS_ZH in refused.get_data(as_text=True)
    accepted = client.post("/volunteers/new", data={**form, "birth_year": "１９５８"})
    assert accepted.status_code == 302
    assert db.session.scalar(select(Volunteer.birth_year)) == 1958


@pytest.mark.parametrize(
    "value, stored",
    [
        ("１２００．５", "1200.50"),
        ("1E+2", None),
        ("\u0661\u0662", None),
        ("NaN", None),
    ],
)
def test_page_money_follows_the_same_rule(client, login_as, db, value, stored):
    login_as("admin")
    response = client.post(
        "/resources/new",
        data={
            "partner": "爱心超市",
            "kind": "goods",
            "value": value,
            "received_on": "2026-01-05",
            "organization_id": "",
        },
    )
    saved = db.session.scalar(select(ResourceLink.value))
    if stored is None:
        assert response.status_code == 200
        assert saved is None
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert f"{saved:.2f}" == stored


def test_page_reads_a_full_width_date(sw_client, community, db):
    client, _sw = sw_client
    response = client.post(
        "/organizations/new", data=_org_form(founded_on="２０２４-０３-０１")
    )
    assert response.status_code == 302
    assert str(db.session.scalar(select(Organization.founded_on))) == "2024-03-01"


@pytest.mark.parametrize(
    "url, form",
    [
        ("/organizations/new", _org_form(name="合唱\u202e团")),
        ("/organizations/new", _org_form(name="合唱\u200f团")),
        (
            "/volunteers/new",
            {
                "name": "王\u2067秀英",
                "gender": "female",
                "birth_year": "1958",
                "phone": "13700000001",
                "status": "active",
                "role": "member",
            },
        ),
        (
            "/resources/new",
            {
                "partner": "爱心\u202b超市",
                "kind": "goods",
                "value": "10",
                "received_on": "2026-01-05",
                "organization_id": "",
            },
        ),
    ],
)
def test_pages_refuse_bidi_controls_in_names(
    client, login_as, community, db, url, form
):
    login_as("admin")
    response = client.post(url, data=form)
    assert response.status_code == 200
    assert BIDI_ZH in response.get_data(as_text=True)
    for model in (Organization, Volunteer, ResourceLink):
        assert db.session.scalar(select(model.id)) is None


def test_fold_changes_only_digits_letters_and_spaces():
    from incubator.normalize import fold, name_key, phone_text

    assert fold("ＡＢＣ合唱团\u3000（一）：１２") == "ABC合唱团 （一）：12"
    assert fold("m²①") == "m²①"  # superscripts and circled numbers stay
    assert name_key(" ＡＢＣ\u3000合唱团 ") == name_key("abc 合唱团") == "abc 合唱团"
    assert phone_text("+86 139－１２３４－００９８") == "13912340098"
    assert phone_text("0086 13912340098") == "13912340098"
