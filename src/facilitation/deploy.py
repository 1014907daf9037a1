"""The workspace on a server: the configuration for nginx and systemd, written for you.

For digital meetings between the workshops, a state-wide programme or a
conference: PostgreSQL holds the workspace, ``facilitation serve
--behind-proxy`` runs two or more participant servers (and the facilitator's
and the projector's page) on the server itself, and nginx (Debian's package)
serves them all over HTTPS at one address:

- ``/`` goes to a participant server. The first answer sets a cookie that
  names the server, so that a page and its kernel's websocket stay together
  (sticky sessions); the cookie, not the address, decides, since a whole town
  hall may reach the server from one address. A server that is down is
  skipped: its people reload and land on another one, with nothing lost.
- ``/facilitator/`` and ``/projector/`` go to their pages, which need the
  workspace's key in the address as always, and optionally a password at the
  proxy (basic auth).

:func:`write_deployment` writes ``nginx/facilitation.conf`` (for
``/etc/nginx/conf.d/``), a complete ``nginx/nginx.conf`` for an nginx of its
own (``nginx -p DIR/nginx -c nginx.conf``), ``systemd/facilitation.service``,
a self-signed certificate if asked for, and ``README.txt`` with the steps.

>>> conf = nginx_site(Site(public_url="https://workshop.example.org/", participant_servers=2,
...                        certificate="/etc/ssl/f.pem", certificate_key="/etc/ssl/f.key"))
>>> "server 127.0.0.1:8869 backup;" in conf, "facilitation_server=$facilitation_server" in conf
(True, True)
"""

from __future__ import annotations

import base64
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ._exceptions import InvalidInput, OutputNotWritable, word
from .i18n import N_
from .serve import page_plan

__all__ = ["Site", "nginx_site", "nginx_standalone", "systemd_unit", "write_deployment"]


@dataclass(frozen=True)
class Site:
    """What the deployment serves, and where."""

    public_url: str  # https://workshop.example.org/ (or with a port: https://host:8443/)
    participant_servers: int = 2
    port: int = 8866  # the first port of `facilitation serve` (the others follow)
    certificate: str = ""
    certificate_key: str = ""
    htpasswd: str = ""  # basic auth for the facilitator's and the projector's page
    upstream_host: str = "127.0.0.1"  # where `facilitation serve` runs

    @property
    def host(self) -> str:
        return urlsplit(self.public_url).hostname or "localhost"

    @property
    def listen_port(self) -> int:
        return urlsplit(self.public_url).port or 443

    def check(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme != "https" or not parts.hostname:
            raise InvalidInput(
                field="--public-url",
                problem=word(N_("must be an https:// address, e.g. https://workshop.example.org/")),
            )
        if not 1 <= self.participant_servers <= 32:
            raise InvalidInput(
                field="--participant-servers", problem=word(N_("must be between 1 and 32"))
            )


def _participant_ports(site: Site) -> list[int]:
    return [site.port + page.offset for page in page_plan(site.participant_servers) if page.public]


def nginx_site(site: Site) -> str:
    """The nginx configuration of the site (inside ``http { }``, as in ``conf.d``)."""
    site.check()
    ports = _participant_ports(site)
    names = [f"p{n}" for n in range(1, len(ports) + 1)]
    upstreams = []
    for name, port in zip(names, ports, strict=True):
        backups = "".join(
            f"    server {site.upstream_host}:{other} backup;\n" for other in ports if other != port
        )
        upstreams.append(
            f"upstream facilitation_{name} {{\n"
            f"    server {site.upstream_host}:{port} max_fails=1 fail_timeout=15s;\n{backups}}}\n"
        )
    share = 100 / len(names)
    split = "".join(f"    {share:.2f}% {name};\n" for name in names[:-1]) + f"    * {names[-1]};\n"
    known = "|".join(names)
    auth = (
        f'        auth_basic "facilitation";\n        auth_basic_user_file {site.htpasswd};\n'
        if site.htpasswd
        else ""
    )
    facilitator = site.port + 1
    projector = site.port + 2
    return f"""# facilitation: {site.public_url} (written by `facilitation deploy`)
{"".join(upstreams)}upstream facilitation_facilitator {{
    server {site.upstream_host}:{facilitator};
}}
upstream facilitation_projector {{
    server {site.upstream_host}:{projector};
}}

# A new visitor gets a participant server by chance; the cookie keeps her there.
split_clients "$request_id" $facilitation_new {{
{split}}}
map $cookie_facilitation_server $facilitation_server {{
    "~^({known})$" $cookie_facilitation_server;
    default $facilitation_new;
}}
map $http_upgrade $facilitation_connection {{
    default upgrade;
    "" close;
}}

server {{
    listen {site.listen_port} ssl;
    server_name {site.host};
    ssl_certificate {site.certificate};
    ssl_certificate_key {site.certificate_key};
    ssl_protocols TLSv1.2 TLSv1.3;

    client_max_body_size 20m;  # lists of participants, network files
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto https;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $facilitation_connection;
    proxy_buffering off;
    proxy_read_timeout 4h;  # a page's websocket lasts the whole meeting
    proxy_send_timeout 4h;
    proxy_next_upstream error timeout http_502;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;  # personal links stay in the page

    location /facilitator/ {{
{auth}        proxy_pass http://facilitation_facilitator;
    }}
    location /projector/ {{
{auth}        proxy_pass http://facilitation_projector;
    }}
    location / {{
        add_header Set-Cookie "facilitation_server=$facilitation_server; Path=/; Secure; HttpOnly; SameSite=Lax" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        proxy_pass http://facilitation_$facilitation_server;
    }}
}}
"""  # noqa: E501


def nginx_standalone(site: Site, prefix: str | Path) -> str:
    """A complete nginx configuration around :func:`nginx_site`, everything under ``prefix``
    (for ``nginx -p PREFIX -c nginx.conf``: no root needed, nothing outside the folder)."""
    prefix = Path(prefix)
    temp = prefix / "temp"
    return f"""# A dedicated nginx for facilitation: nginx -p {prefix} -c nginx.conf
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log {prefix / "access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {prefix / "facilitation.conf"};
}}
"""


def systemd_unit(site: Site, workspace: str, *, user: str = "facilitation") -> str:
    """A systemd service that runs the pages for the proxy (restarted if it fails)."""
    command = [
        str(Path(sys.executable).with_name("facilitation")),
        "serve",
        workspace,
        "--port",
        str(site.port),
        "--participant-servers",
        str(site.participant_servers),
        "--behind-proxy",
        "--public-url",
        site.public_url,
    ]
    return f"""[Unit]
Description=facilitation pages for {site.public_url}
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
User={user}
ExecStart={shlex.join(command)}
Restart=on-failure
RestartSec=3
KillMode=control-group
TimeoutStopSec=20

[Install]
WantedBy=multi-user.target
"""


def self_signed_certificate(host: str, folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (for a test, or until a real one is there)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise InvalidInput(
            field="--self-signed",
            problem=word(N_("needs the openssl program (apt install openssl)")),
        )
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    alt = f"IP:{host}" if host.replace(".", "").isdigit() else f"DNS:{host}"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName={alt},DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return certificate, key


def htpasswd_line(user: str, password: str) -> str:
    """A line of an nginx password file (salted SHA-1, which nginx reads without helpers).

    >>> htpasswd_line("moderation", "geheim").startswith("moderation:{SSHA}")
    True
    """
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return f"{user}:{{SSHA}}{base64.b64encode(digest + salt).decode()}\n"


def write_deployment(
    folder: str | Path,
    site: Site,
    workspace: str,
    *,
    self_signed: bool = False,
    basic_auth: tuple[str, str] | None = None,
) -> list[Path]:
    """Write the configuration of a deployment into ``folder``; the files written."""
    site.check()
    folder = Path(folder).resolve()
    try:
        (folder / "nginx" / "temp").mkdir(parents=True, exist_ok=True)
        (folder / "systemd").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotWritable(folder=str(folder), reason=error.strerror or "") from None
    written = []
    if self_signed:
        certificate, key = self_signed_certificate(site.host, folder / "tls")
        site = Site(**{**site.__dict__, "certificate": str(certificate),
                       "certificate_key": str(key)})  # fmt: skip
        written += [certificate, key]
    if not site.certificate or not site.certificate_key:
        raise InvalidInput(
            field="--certificate",
            problem=word(N_("give a certificate and its key, or --self-signed")),
        )
    if basic_auth is not None:
        htpasswd = folder / "nginx" / "htpasswd"
        htpasswd.write_text(htpasswd_line(*basic_auth))
        htpasswd.chmod(0o640)
        site = Site(**{**site.__dict__, "htpasswd": str(htpasswd)})
        written.append(htpasswd)
    files = {
        folder / "nginx" / "facilitation.conf": nginx_site(site),
        folder / "nginx" / "nginx.conf": nginx_standalone(site, folder / "nginx"),
        folder / "systemd" / "facilitation.service": systemd_unit(site, workspace),
        folder / "README.txt": _readme(site, folder, workspace),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _readme(site: Site, folder: Path, workspace: str) -> str:
    return f"""facilitation at {site.public_url}

1. The workspace: {workspace}
   (PostgreSQL: createdb facilitation; facilitation init postgresql://.../facilitation)
2. The pages: install systemd/facilitation.service to /etc/systemd/system/, then
   systemctl daemon-reload && systemctl enable --now facilitation
   (or by hand: facilitation serve {workspace} --participant-servers {site.participant_servers} \\
    --behind-proxy --public-url {site.public_url})
3. The proxy: copy nginx/facilitation.conf to /etc/nginx/conf.d/, then
   nginx -t && systemctl reload nginx
   (or an nginx of its own: nginx -p {folder / "nginx"} -c nginx.conf)
4. Participants open {site.public_url} with their personal links; the facilitator
   {site.public_url}facilitator/?key=..., the wall {site.public_url}projector/?key=...
   (the key: facilitation serve prints the addresses).

The certificate: {site.certificate}
Basic auth for the facilitator's and the projector's page: {"yes" if site.htpasswd else "no"}
"""
