"""deploy/ and gunicorn.conf.py (issue 18): the systemd units pass
`systemd-analyze verify`, the nginx site passes `nginx -t`, and the files agree
with each other and with the app (port, upload limit, static folder), and
gunicorn starts with its configuration and answers the load balancer's probe."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("incubator-web.service", "incubator-scheduler.service")
SITE = DEPLOY / "nginx-incubator.conf"
ENV_EXAMPLE = DEPLOY / "incubator.env.example"
CHECKOUT = "/srv/incubator"


def gunicorn_settings(**env: str) -> dict:
    """gunicorn.conf.py's settings under an environment without GUNICORN_* (the
    defaults) plus ``env``."""
    saved = dict(os.environ)
    try:
        for key in list(os.environ):
            if key.startswith("GUNICORN_") or key in ("LOG_FORMAT",):
                del os.environ[key]
        os.environ.update(env)
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def unit_value(unit: str, key: str) -> list[str]:
    text = (DEPLOY / unit).read_text()
    return re.findall(rf"^{key}=(.*)$", text, flags=re.MULTILINE)


# ---- gunicorn.conf.py ----


def test_gunicorn_defaults_for_two_cores():
    s = gunicorn_settings()
    assert s["worker_class"] == "gthread"
    assert 2 <= s["workers"] <= max(2, os.cpu_count() or 1)
    assert 2 <= s["threads"] <= 4
    # each worker's pool covers its threads (incubator.database.engine_options)
    assert Config.DB_POOL_SIZE + Config.DB_MAX_OVERFLOW > s["threads"]
    assert s["preload_app"] is False
    assert s["max_requests"] > 0 and 0 < s["max_requests_jitter"] < s["max_requests"]
    assert s["graceful_timeout"] < s["timeout"]
    assert s["bind"] == [f"127.0.0.1:{s['DEFAULT_PORT']}"]
    assert "x-request-id" in s["access_log_format"]
    assert s["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_settings_from_the_environment():
    s = gunicorn_settings(
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="2",
        GUNICORN_BIND="0.0.0.0:8001",
        LOG_FORMAT="json",
    )
    assert (s["workers"], s["threads"], s["bind"]) == (3, 2, ["0.0.0.0:8001"])
    formatter = s["logconfig_dict"]["formatters"]["json"]
    assert formatter["()"] == "pythonjsonlogger.json.JsonFormatter"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_with_its_configuration(database_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY_FILE": str(tmp_path / "secret"),
        "RESIDENT_KEY_FILE": str(tmp_path / "rk"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "LOG_FORMAT": "json",
    }
    server = subprocess.Popen(  # noqa: S603  (our own server, fixed arguments)
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"X-Request-ID": "lb-probe-1"},
                )
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                    body, headers = answer.read(), answer.headers
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.3)
        assert body == b'{"checks":{"process":"ok"},"status":"ok"}\n'
        assert headers["X-Request-ID"] == "lb-probe-1"
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(60)
        log = server.stderr.read().decode()
        server.stderr.close()
    assert code == 0, log[-2000:]  # a graceful stop
    # gunicorn's own lines are JSON too under LOG_FORMAT=json
    assert '"logger": "gunicorn.error"' in log


# ---- systemd units ----


def _fake_checkout(tmp_path: Path) -> Path:
    """The layout the units name (checkout, venv's gunicorn and flask) under
    ``tmp_path``, so `systemd-analyze verify` checks the executables for real."""
    checkout = tmp_path / "srv" / "incubator"
    (checkout / "instance").mkdir(parents=True)
    shutil.copy(ROOT / "gunicorn.conf.py", checkout / "gunicorn.conf.py")
    for name in ("gunicorn", "flask"):
        exe = checkout / ".venv" / "bin" / name
        exe.parent.mkdir(parents=True, exist_ok=True)
        exe.write_text("#!/bin/sh\nexit 0\n")
        exe.chmod(0o755)
    return checkout


def _verify(unit_dir: Path) -> subprocess.CompletedProcess:
    tool = shutil.which("systemd-analyze") or "systemd-analyze"
    return subprocess.run(  # noqa: S603  (a fixed tool on our own files)
        [tool, "verify", "--man=no", *sorted(unit_dir.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )


@pytest.fixture
def units(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    checkout = _fake_checkout(tmp_path)
    unit_dir = tmp_path / "units"
    unit_dir.mkdir()
    for unit in UNITS:
        text = (DEPLOY / unit).read_text().replace(CHECKOUT, str(checkout))
        (unit_dir / unit).write_text(text)
    return unit_dir


def test_systemd_units_verify(units):
    result = _verify(units)
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if ".service" in line]


def test_systemd_verify_catches_a_missing_program(units):
    """The check above can fail: a unit whose program is missing does."""
    web = units / "incubator-web.service"
    web.write_text(web.read_text().replace(".venv/bin/gunicorn", ".venv/bin/gunicron"))
    result = _verify(units)
    assert result.returncode != 0
    assert "gunicron" in result.stderr


@pytest.mark.parametrize("unit", UNITS)
def test_units_run_from_the_checkout_hardened(unit):
    assert unit_value(unit, "WorkingDirectory") == [CHECKOUT]
    assert unit_value(unit, "EnvironmentFile") == ["/etc/incubator/incubator.env"]
    assert unit_value(unit, "User") == ["incubator"]
    assert unit_value(unit, "NoNewPrivileges") == ["yes"]
    assert unit_value(unit, "ProtectSystem") == ["strict"]
    assert unit_value(unit, "ReadWritePaths") == [f"{CHECKOUT}/instance"]
    # the uploads folder of the example env lives in the unit's StateDirectory
    assert env_example()["UPLOAD_FOLDER"] == "/var/lib/incubator/uploads"
    assert unit_value(unit, "StateDirectory") == ["incubator"]
    assert unit_value(unit, "Restart")


def test_units_start_the_web_and_the_scheduler():
    (web,) = unit_value("incubator-web.service", "ExecStart")
    assert web == (
        f"{CHECKOUT}/.venv/bin/gunicorn -c {CHECKOUT}/gunicorn.conf.py wsgi:app"
    )
    (scheduler,) = unit_value("incubator-scheduler.service", "ExecStart")
    assert scheduler == f"{CHECKOUT}/.venv/bin/flask --app wsgi scheduler run"


# ---- nginx site ----


def test_nginx_site_agrees_with_gunicorn_and_the_app():
    site = SITE.read_text()
    settings = gunicorn_settings()
    upstream = re.search(r"upstream incubator_app \{(.*?)\}", site, re.S).group(1)
    servers = re.findall(r"^\s*server\s+([\w.:\[\]-]+):(\d+)", upstream, re.M)
    assert len(servers) >= 2  # several app servers
    assert {int(port) for _, port in servers} == {settings["DEFAULT_PORT"]}
    # the example env binds gunicorn on that port on every interface
    assert env_example()["GUNICORN_BIND"] == f"0.0.0.0:{settings['DEFAULT_PORT']}"
    # the upload limit: nginx's equals the app's
    (size,) = set(re.findall(r"client_max_body_size\s+(\d+)m;", site))
    assert int(size) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    assert int(env_example()["MAX_CONTENT_LENGTH"]) == Config.MAX_CONTENT_LENGTH
    # static files from the package's static folder in the checkout
    (alias,) = re.findall(r"alias\s+(\S+);", site)
    assert alias.rstrip("/") == f"{CHECKOUT}/incubator/static"
    assert (ROOT / "incubator" / "static").is_dir()
    assert site.count("proxy_set_header X-Request-ID $request_id;") >= 2
    assert "location = /healthz" in site


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if not found:
        pytest.skip("nginx is not installed (make nginx-deps installs it as root)")
    return found


def _nginx_test(tmp_path: Path, site_text: str) -> subprocess.CompletedProcess:
    nginx = _nginx()
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed for a placeholder certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603  (fixed arguments)
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + [
            "-subj",
            "/CN=incubator.example.org",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site_text = (
        site_text.replace("/etc/ssl/certs/incubator.example.org.pem", str(cert))
        .replace("/etc/ssl/private/incubator.example.org.key", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site_text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    client_body_temp_path {tmp_path}/body;\n"
        f"    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )
    return subprocess.run(  # noqa: S603  (fixed arguments)
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
        + ["-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nginx_accepts_the_site(tmp_path):
    result = _nginx_test(tmp_path, SITE.read_text())
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_check_catches_a_broken_site(tmp_path):
    """The check above can fail: a site with a misspelt directive does."""
    broken = SITE.read_text().replace("proxy_pass ", "proxy_pas ", 1)
    result = _nginx_test(tmp_path, broken)
    assert result.returncode != 0
    assert "proxy_pas" in result.stderr
