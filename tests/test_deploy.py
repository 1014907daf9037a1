"""``facilitation deploy``: the nginx and systemd configuration, checked by nginx itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from facilitation import InvalidInput
from facilitation.deploy import Site, nginx_site, write_deployment
from facilitation.i18n import language

CLI = [sys.executable, "-m", "facilitation.cli"]


def test_the_site_spreads_over_the_participant_servers_and_falls_back() -> None:
    conf = nginx_site(Site(public_url="https://konferenz.example.org/", participant_servers=3,
                           port=9000, certificate="c.pem", certificate_key="k.pem"))  # fmt: skip
    for name, port in (("p1", 9000), ("p2", 9003), ("p3", 9004)):
        assert f"upstream facilitation_{name} {{\n    server 127.0.0.1:{port} max_fails" in conf
    assert conf.count(" backup;") == 6  # each server falls back on the two others
    assert "listen 443 ssl;" in conf and "server_name konferenz.example.org;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "auth_basic" not in conf


def test_bad_settings_are_refused_in_german(tmp_path: Path) -> None:
    with language("de"), pytest.raises(InvalidInput, match="https://-Adresse"):
        write_deployment(tmp_path, Site(public_url="http://x.example/"), "w.db")
    with language("de"), pytest.raises(InvalidInput, match="Zertifikat"):
        write_deployment(tmp_path, Site(public_url="https://x.example/"), "w.db")
    done = subprocess.run(
        [*CLI, "deploy", "w.db", "--public-url", "https://x/", "--participant-servers", "0",
         "--out", str(tmp_path / "d"), "--self-signed"],
        capture_output=True, text=True, env={**os.environ, "FACILITATION_LANG": "de"},
    )  # fmt: skip
    assert done.returncode == 1 and "zwischen 1 und 32" in done.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_the_written_configuration_passes_nginx_t(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "deploy", "postgresql://f@localhost/programm", "--public-url",
         "https://127.0.0.1:8443/", "--out", str(tmp_path), "--self-signed",
         "--basic-auth", "moderation"],
        capture_output=True, text=True,
        env={**os.environ, "FACILITATION_BASIC_AUTH_PASSWORD": "geheim"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = {Path(line).relative_to(tmp_path).as_posix() for line in done.stdout.split()}
    assert written == {
        "tls/certificate.pem", "tls/key.pem", "nginx/htpasswd", "nginx/facilitation.conf",
        "nginx/nginx.conf", "systemd/facilitation.service", "README.txt",
    }  # fmt: skip
    site = (tmp_path / "nginx" / "facilitation.conf").read_text()
    assert f"auth_basic_user_file {tmp_path / 'nginx' / 'htpasswd'};" in site
    assert "geheim" not in (tmp_path / "nginx" / "htpasswd").read_text()
    unit = (tmp_path / "systemd" / "facilitation.service").read_text()
    assert "--behind-proxy --public-url https://127.0.0.1:8443/" in unit
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("no nginx to check the configuration with")
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path / "nginx"), "-c", "nginx.conf"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
