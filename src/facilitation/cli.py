"""The command line: ``facilitation init | demo | serve | import | municipalities | links |
export``.

A workspace argument is a file path or a database URL everywhere. Errors are
one clear line on standard error and an exit status other than 0.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import create_workspace, open_workspace
from ._exceptions import FacilitationError, WorkspaceNotFound
from ._version import __version__
from .export import FORMATS, REPORT_FORMATS
from .i18n import LANGUAGES, _, current_language, ngettext, set_language

__all__ = ["main"]

DEFAULT_DEMO = Path("workspace") / "demo.db"
EXPORT_FORMATS = FORMATS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facilitation",
        description=_(
            "Run the live parts of peer-learning workshops on this computer and keep "
            "what they collect as research data."
        ),
    )
    parser.add_argument("--version", action="version", version=f"facilitation {__version__}")
    parser.add_argument(
        "--lang", choices=LANGUAGES, help=_("language of messages (default: German)")
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init", help=_("create a new workspace"), description=_("Create a new workspace.")
    )
    init.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    init.add_argument("--title", help=_("title of the programme or series"))
    init.add_argument("--description", default="", help=_("a short description"))
    init.add_argument(
        "--demo", action="store_true", help=_("fill it with the demo workshop (German)")
    )

    demo = commands.add_parser(
        "demo",
        help=_("start the demo workshop"),
        description=_("Create the demo workspace if it does not exist yet, and serve it."),
    )
    demo.add_argument(
        "workspace",
        metavar="WORKSPACE",
        nargs="?",
        default=str(DEFAULT_DEMO),
        help=_("where the demo workspace is kept (default: %(default)s)"),
    )
    _serve_options(demo)

    serve = commands.add_parser(
        "serve",
        help=_("serve a workspace's pages"),
        description=_(
            "Serve the participant, facilitator and projector pages of a workspace. "
            "Without --lan every page is reachable from this computer only."
        ),
    )
    serve.add_argument(
        "workspace",
        metavar="WORKSPACE",
        nargs="?",
        help=_("file path or database URL (default: the only workspace in ./workspace)"),
    )
    _serve_options(serve)
    serve.add_argument(
        "--participant-servers",
        type=int,
        default=1,
        metavar="N",
        help=_("participant servers to run, on the ports after the first three (default: 1)"),
    )
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help=_(
            "for a reverse proxy on this computer (see 'deploy'): every server on this "
            "computer only, the facilitator's and the projector's page at /facilitator/ "
            "and /projector/"
        ),
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help=_("the address participants use (https://…/): in links, QR codes and addresses"),
    )

    deploy = commands.add_parser(
        "deploy",
        help=_("write the configuration for a server behind nginx"),
        description=_(
            "Write the nginx configuration (HTTPS, sticky sessions over several participant "
            "servers, websockets, optional password for the facilitator's and projector's "
            "page), a systemd service and the steps into a folder."
        ),
    )
    deploy.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    deploy.add_argument("--public-url", required=True, metavar="URL",
                        help=_("the address everyone uses, https://…/"))  # fmt: skip
    deploy.add_argument("--out", required=True, type=Path, help=_("folder to write to"))
    deploy.add_argument("--port", type=int, default=8866,
                        help=_("first port of 'serve' (default: %(default)s)"))  # fmt: skip
    deploy.add_argument("--participant-servers", type=int, default=2, metavar="N",
                        help=_("participant servers (default: %(default)s)"))  # fmt: skip
    deploy.add_argument("--certificate", default="", help=_("TLS certificate (PEM)"))
    deploy.add_argument("--certificate-key", default="", help=_("its private key (PEM)"))
    deploy.add_argument("--self-signed", action="store_true",
                        help=_("make a self-signed certificate (for a test)"))  # fmt: skip
    deploy.add_argument(
        "--basic-auth", metavar="USER",
        help=_("a password at the proxy for the facilitator's and projector's page; the "
               "password is read from FACILITATION_BASIC_AUTH_PASSWORD or asked for"),
    )  # fmt: skip

    roster = commands.add_parser(
        "import",
        help=_("import a list of participants (CSV or Excel)"),
        description=_(
            "Import participants from a CSV or Excel file as a town hall keeps it (name, "
            "role, municipality by name or official key, e-mail, consent). Each row that "
            "cannot be imported is reported with its line and reason, and then nothing is "
            "imported, unless --skip-refused."
        ),
    )
    roster.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    roster.add_argument("file", metavar="FILE", type=Path, help=_("the list (.csv or .xlsx)"))
    roster.add_argument(
        "--meeting", type=int, metavar="ID", help=_("register everyone for this meeting")
    )
    roster.add_argument(
        "--skip-refused",
        action="store_true",
        help=_("import the rows that can be, even if others are refused"),
    )
    roster.add_argument(
        "--dry-run", action="store_true", help=_("only show what would be imported")
    )

    towns = commands.add_parser(
        "municipalities",
        help=_("show or load the official directory of municipalities a workspace searches"),
        description=_(
            "Every German municipality can be named: a workspace searches the official "
            "directory of Destatis shipped with facilitation. 'load' replaces it with a newer "
            "extract (Destatis' Excel file AuszugGV…xlsx, or the same as CSV); 'show' tells "
            "which one is used."
        ),
    )
    towns.add_argument("action", choices=("show", "load"), help=_("show or load"))
    towns.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    towns.add_argument(
        "file", metavar="FILE", type=Path, nargs="?", help=_("the extract (.xlsx or .csv)")
    )
    towns.add_argument(
        "--stand",
        default="",
        help=_("the Gebietsstand if the file does not say it, e.g. 31.12.2024"),
    )

    links = commands.add_parser(
        "links",
        help=_("write the personal links of a meeting for a mail merge"),
        description=_(
            "Write a CSV file (name, role, municipality, e-mail, personal link) for a mail "
            "merge in Word or LibreOffice. Whoever has a link acts as its participant: keep "
            "the file as confidential as the links themselves."
        ),
    )
    links.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    links.add_argument(
        "--meeting", type=int, metavar="ID", help=_("the meeting (default: the current one)")
    )
    links.add_argument(
        "--url",
        required=True,
        help=_("address of the participant page, as 'serve' prints it (http://…:8866/)"),
    )
    links.add_argument("--out", required=True, type=Path, help=_("the CSV file to write"))

    programme = commands.add_parser(
        "report",
        help=_("write the report of the whole programme"),
        description=_(
            "Write the report of the whole programme: meetings and attendance, topics over "
            "time, actions done, open and overdue, how the network grew, and the findings "
            "agreed with the participants per addressee (html, docx, xlsx; 'all' writes each)."
        ),
    )
    programme.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    programme.add_argument(
        "--format", default="all", choices=REPORT_FORMATS, dest="format",
        help=_("what to write (default: %(default)s)"),
    )  # fmt: skip
    programme.add_argument("--out", required=True, type=Path, help=_("folder to write to"))
    programme.add_argument(
        "--lang", choices=LANGUAGES, dest="export_lang",
        help=_("language of the report (default: German)"),
    )  # fmt: skip
    programme.add_argument(
        "--anonymous", action="store_true",
        help=_("a report that names nobody, not even those who agreed (for publication)"),
    )  # fmt: skip
    programme.add_argument(
        "--include-confidential", "--confidential", nargs="*", type=int, metavar="ID",
        dest="confidential",
        help=_("let confidential consultations appear as sources: these, or all if no number"),
    )  # fmt: skip

    export = commands.add_parser(
        "export",
        help=_("export a meeting's protocol and the workspace's data"),
        description=_(
            "Write the protocol of a meeting (html, docx) and the workspace's records "
            "(xlsx, csv) into a folder; 'all' writes every format."
        ),
    )
    export.add_argument("workspace", metavar="WORKSPACE", help=_("file path or database URL"))
    export.add_argument(
        "--format", required=True, choices=EXPORT_FORMATS, dest="format", help=_("what to write")
    )
    export.add_argument("--out", required=True, type=Path, help=_("folder to write to"))
    export.add_argument(
        "--meeting",
        type=int,
        metavar="ID",
        help=_(
            "the meeting of the protocol, and the only one in the data "
            "(default: the current meeting for the protocol, all meetings for the data)"
        ),
    )
    export.add_argument(
        "--lang",
        choices=LANGUAGES,
        dest="export_lang",
        help=_("language of the protocol (default: German)"),
    )
    export.add_argument(
        "--names",
        action="store_true",
        help=_("include participants' names in the data (default: stable pseudonyms)"),
    )
    export.add_argument(
        "--anonymous",
        action="store_true",
        help=_("a protocol that names nobody, not even those who agreed"),
    )
    export.add_argument(
        "--include-confidential",
        "--confidential",
        nargs="*",
        type=int,
        metavar="ID",
        dest="confidential",
        help=_(
            "include confidential consultations: the ones with these numbers, "
            "or all of them if no number is given"
        ),
    )
    export.add_argument(
        "--quiet", action="store_true", help=_("no progress messages, only the files written")
    )
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8866, help=_("first of three ports (default: %(default)s)")
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help=_("put the participant page on the room network (never the other pages)"),
    )
    parser.add_argument(
        "--room",
        type=int,
        default=12,
        metavar="N",
        help=_(
            "participant pages prepared before anyone comes; about the number of people "
            "expected (default: %(default)s)"
        ),
    )


def _say(text: str) -> None:
    with contextlib.suppress(OSError):  # the terminal may be gone (closed: SIGHUP)
        print(text, flush=True)


def _init(args: argparse.Namespace) -> int:
    title = args.title
    if not title and not args.demo:
        raise _usage(_("init needs --title (or --demo)"))
    store = create_workspace(args.workspace, title or "Demo", args.description)
    with store:
        if args.demo:
            from .shipped import load_demo

            load_demo(store)
            if title:
                store.update_info(title=title)
        _say(_("Created workspace {title} at {location}").format(
            title=store.info().title, location=store.location
        ))  # fmt: skip
    return 0


class _UsageError(Exception):
    pass


def _usage(message: str) -> _UsageError:
    return _UsageError(message)


def _default_workspace() -> str:
    folder = Path("workspace")
    found = sorted(folder.glob("*.db")) if folder.is_dir() else []
    found = [path for path in found if ".before-upgrade-" not in path.name]
    if len(found) == 1:
        return str(found[0])
    if not found:
        raise _usage(
            _("no workspace given and none in ./workspace; name one, or run 'facilitation demo'")
        )
    raise _usage(
        _("several workspaces in ./workspace ({names}); name the one to serve").format(
            names=", ".join(path.name for path in found)
        )
    )


def _serve(
    workspace: str,
    port: int,
    lan: bool,
    room: int = 12,
    *,
    participant_servers: int = 1,
    behind_proxy: bool = False,
    public_url: str | None = None,
) -> int:
    from . import serve

    with open_workspace(workspace) as store:
        key = store.facilitator_key()
        title = store.info().title
        location = store.location
    _say(_("Starting the pages of {title} ({location}) ...").format(title=title, location=location))
    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stop.set()

    # Closing the terminal (SIGHUP) stops the servers as Ctrl-C does; a 'kill -9' of this
    # process alone ends them too (see serve.start), and the next start ends any leftovers.
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _on_signal) for sig in signals}
    try:
        with serve.start(
            workspace, key, port=port, lan=lan, room=max(room, 0),
            participant_servers=participant_servers, behind_proxy=behind_proxy,
            public_url=public_url,
        ) as servers:  # fmt: skip
            for name, url in servers.urls.items():
                _say(f"{name}: {url}")
            if lan or public_url:
                _print_qr(servers.urls["participant"])
            _say(_("Press Ctrl-C to stop."))
            while not stop.wait(1.0):
                for name in servers.revive():  # its people reload and go on
                    _say(_("{name} had stopped and was started again.").format(name=name))
            _say(_("Stopping ..."))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import getpass
    import os

    from .deploy import Site, write_deployment

    site = Site(
        public_url=args.public_url, participant_servers=args.participant_servers,
        port=args.port, certificate=args.certificate, certificate_key=args.certificate_key,
    )  # fmt: skip
    site.check()
    basic_auth = None
    if args.basic_auth:
        password = os.environ.get("FACILITATION_BASIC_AUTH_PASSWORD") or getpass.getpass()
        basic_auth = (args.basic_auth, password)
    for path in write_deployment(
        args.out, site, args.workspace, self_signed=args.self_signed, basic_auth=basic_auth
    ):
        _say(str(path))
    return 0


def _print_qr(url: str) -> None:
    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(url)
    code.print_ascii(out=sys.stdout, invert=True)


def _demo(args: argparse.Namespace) -> int:
    location = args.workspace
    try:
        open_workspace(location).close()
    except WorkspaceNotFound:
        from .shipped import load_demo

        with create_workspace(location, "Demo") as store:
            load_demo(store)
        _say(_("Created the demo workspace at {location}").format(location=location))
    return _serve(location, args.port, args.lan, args.room)


def _export(args: argparse.Namespace) -> int:
    from .export import export

    confidential: bool | list[int] = False
    if args.confidential is not None:
        confidential = args.confidential or True
    progress = None if args.quiet else _Progress(sys.stderr)
    with open_workspace(args.workspace) as store:
        written = export(
            store,
            args.format,
            args.out,
            meeting_id=args.meeting,
            lang=args.export_lang or current_language(),
            names=args.names,
            anonymous=args.anonymous,
            include_confidential=confidential,
            progress=progress,
        )
    if progress is not None:
        progress.finish(len(written))
    for path in written:
        _say(str(path))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .export import export_programme_report

    confidential: bool | list[int] = False
    if args.confidential is not None:
        confidential = args.confidential or True
    with open_workspace(args.workspace) as store:
        written = export_programme_report(
            store,
            args.format,
            args.out,
            lang=args.export_lang or current_language(),
            anonymous=args.anonymous,
            include_confidential=confidential,
        )
    for path in written:
        _say(str(path))
    return 0


def _import(args: argparse.Namespace) -> int:
    from .shipped import read_participants, shipped_municipalities

    table = read_participants(args.file)
    with open_workspace(args.workspace) as store:
        if args.meeting is not None:
            store.meeting(args.meeting)  # a wrong number is refused before anything
        towns = shipped_municipalities(store)
        plan = store.plan_participants(table, shipped=towns)
        _say(f"{table.name}: {plan.summary()}")
        for line in plan.lines():
            print(line, file=sys.stderr)
        if args.dry_run:
            _say(_("Nothing was imported (--dry-run)."))
            return 1 if plan.refused and not args.skip_refused else 0
        done = store.import_participants(
            table, meeting_id=args.meeting, shipped=towns, skip_refused=args.skip_refused
        )
    _say(
        ngettext("{n} participant imported", "{n} participants imported", len(done.new)).format(
            n=len(done.new)
        )
    )
    return 0


def _municipalities(args: argparse.Namespace) -> int:
    from .directory import read_extract

    if args.action == "load" and args.file is None:
        raise _usage(_("name the file to load"))
    directory = read_extract(args.file, stand=args.stand) if args.action == "load" else None
    with open_workspace(args.workspace) as store:
        info = store.load_directory(directory) if directory is not None else store.directory_info()
    _say(
        ngettext(
            "{places} municipality, Gebietsstand {stand}, from {source}",
            "{places} municipalities, Gebietsstand {stand}, from {source}",
            info.places,
        ).format(places=info.places, stand=info.stand or "?", source=info.source)
    )
    return 0


def _links(args: argparse.Namespace) -> int:
    from .links import write_link_list

    with open_workspace(args.workspace) as store:
        meeting_id = args.meeting
        if meeting_id is None:
            current = store.current_meeting()
            if current is None:
                raise _usage(_("no meeting is current: choose one with --meeting"))
            meeting_id = current.id
        store.meeting(meeting_id)
        _say(str(write_link_list(store, meeting_id, args.url, args.out)))
    return 0


class _Progress:
    """Progress of a long export on standard error: a bar in a terminal, else a line a step."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, step: int, steps: int, what: str) -> None:
        if self.live:
            self._bar(step - 1, steps, f"{step}/{steps} {what} …")
        else:
            self.stream.write(f"[{step}/{steps}] {what} …\n")
            self.stream.flush()

    def finish(self, files: int) -> None:
        """Show the bar full once the export is done (in a terminal)."""
        if self.live:
            text = ngettext("{n} file written", "{n} files written", files).format(n=files)
            self._bar(1, 1, text + "\n")

    def _bar(self, done: int, steps: int, text: str) -> None:
        filled = round(20 * done / steps) if steps else 20
        self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (20 - filled)}] {text}")
        self.stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in argv[:-1]:
        wanted = argv[argv.index("--lang") + 1]
        if wanted in LANGUAGES:
            set_language(wanted)
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "serve":
            return _serve(
                args.workspace or _default_workspace(), args.port, args.lan, args.room,
                participant_servers=args.participant_servers, behind_proxy=args.behind_proxy,
                public_url=args.public_url,
            )  # fmt: skip
        if args.command == "deploy":
            return _deploy(args)
        if args.command == "export":
            return _export(args)
        if args.command == "report":
            return _report(args)
        if args.command == "import":
            return _import(args)
        if args.command == "links":
            return _links(args)
        if args.command == "municipalities":
            return _municipalities(args)
    except _UsageError as error:
        parser.exit(2, f"facilitation {args.command}: {error}\n")
    except FacilitationError as error:
        parser.exit(1, f"facilitation {args.command}: {error}\n")
    except KeyboardInterrupt:
        return 130
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
