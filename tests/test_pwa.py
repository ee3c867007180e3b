"""The installable app, seen from the server: the manifest a phone reads to
install it, the service worker served for the whole site and never stale, the
offline page that names nobody, and a logout that wipes the phone."""

from __future__ import annotations

import json
import re

from incubator.security import CSP
from tests.conftest import login


def test_manifest_makes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "社区社会组织孵化"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1f6f5c"  # the navbar's colour
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        answer = client.get(icon["src"])
        assert answer.status_code == 200
        answer.close()


def test_every_page_links_the_manifest_and_the_offline_script(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/js/offline-log.js"' in html
    assert 'id="pending-logs"' in html


def test_service_worker_covers_the_site_and_is_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    # the shell it keeps: CSS, scripts, icons and the offline page; no API, no
    # personal page is in its list
    assert "/static/css/app.css" in body
    assert "/bootstrap/static/css/bootstrap.min.css" in body
    assert '"/offline"' in body
    assert "/api/" not in body.split("\n", 2)[1]
    assert response.headers["Content-Security-Policy"] == CSP


def test_service_worker_version_follows_the_files(client, app, tmp_path, monkeypatch):
    from incubator.main import pwa

    first = client.get("/sw.js").get_data(as_text=True).splitlines()[0]
    pwa._static_digest.cache_clear()
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "sw.js").write_text("// worker\n")
    (static / "css").mkdir()
    (static / "css" / "app.css").write_text("body { color: red; }\n")
    monkeypatch.setattr(app, "static_folder", str(static))
    changed = client.get("/sw.js").get_data(as_text=True).splitlines()[0]
    pwa._static_digest.cache_clear()
    assert first.startswith("var SHELL_VERSION = ")
    assert changed != first


def test_offline_page_names_nobody(client, make_user):
    make_user("org_leader", username="wu_offline", name="吴阿姨")
    login(client, "wu_offline")
    html = client.get("/offline").get_data(as_text=True)
    assert "没有网络" in html
    assert "吴阿姨" not in html
    assert "/activities/new" in html


def test_logout_wipes_the_phone_and_still_goes_to_login(client, make_user):
    make_user("org_leader", username="wu_logout")
    login(client, "wu_logout")
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    page = client.get("/login")
    assert "已退出" in page.get_data(as_text=True)


def test_the_offline_form_has_every_script_it_loads(client, team):
    """The worker keeps the activity form for offline use: each script the form
    loads is in its shell, so the volunteer search and counter work without signal."""
    login(client, "team_leader")
    form = client.get(f"/activities/new?org={team['org'].id}").get_data(as_text=True)
    scripts = set(re.findall(r'<script src="(/static/[^"]+)"', form))
    assert "/static/js/volunteer_picker.js" in scripts
    worker = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"var SHELL_URLS = (\[.*?\]);", worker).group(1))
    assert scripts <= set(shell)
