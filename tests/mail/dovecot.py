"""A real IMAP server for the mail tests: a throw-away Dovecot on a loopback port.

`dovecot` (session scope) starts one server per test process from a minimal configuration in a
temporary directory: no TLS, plain-text login allowed (loopback only), any user name with the
password `IMAP_PASSWORD`, each user a fresh Maildir. `imap_account` gives every test its own
user, so tests never see each other's mail.

Dovecot comes from the Debian package `dovecot-imapd` (`python3 run.py test` installs it when run
as root). Without it the tests that need it fail and say so: a missing server is a broken test
setup, not a reason to pass.
"""

from __future__ import annotations

import grp
import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

IMAP_PASSWORD = "imap-test-password-1405"  # noqa: S105 - a throw-away server's test password
STARTUP_SECONDS = 15
PLAIN_HOST = "127.0.0.2"  # Linux answers on all of 127.0.0.0/8
INSTALL_HINT = (
    "Dovecot is needed by the IMAP tests and was not found (looked for `dovecot` on PATH and in "
    "/usr/sbin). Install the Debian package: `sudo apt-get install dovecot-imapd` "
    "(`python3 run.py test` does it by itself when run as root). The tests start their own "
    "server on a loopback port; the system's Dovecot service need not run."
)

CONFIG = """\
# Throw-away Dovecot for the test suite: loopback only, no TLS, nothing outside {root}.
protocols = imap
listen = 127.0.0.1
instance_name = pishkhan-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1 {plain_host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
# The same server on a second loopback address, announcing no extensions (no MOVE, no UIDPLUS):
# how an older or plainer IMAP server looks to the poller.
local {plain_host} {{
  protocol imap {{
    imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE
  }}
}}
"""


def find_dovecot() -> str | None:
    return shutil.which("dovecot", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accounts() -> tuple[str, str, str, pwd.struct_passwd]:
    """Who Dovecot's own processes and the mail processes run as. Dovecot never opens mail as
    root, so as root the mail belongs to `nobody` and the helpers to the users the package
    created; as anyone else everything runs as that user (Dovecot's rootless mode)."""
    if os.geteuid() == 0:
        return "dovecot", "dovecot", "dovenull", pwd.getpwnam("nobody")
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_name, me


@dataclass
class Dovecot:
    host: str
    port: int
    root: Path

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class ImapAccount:
    """One user's mailbox on the test server, with what a test needs to set it up and to look
    into it behind the poller's back."""

    host: str
    port: int
    user: str
    password: str
    # The address where the server announces no MOVE and no UIDPLUS.
    plain_host: str = PLAIN_HOST

    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(
        self, raw: bytes, *, folder: str = "INBOX", flags: str = "", arrived: datetime | None = None
    ) -> None:
        """Deliver a message into the folder, optionally already marked (e.g. `(\\Seen)`) or
        arrived at another time."""
        client = self.connect()
        try:
            client.create(_quoted(folder))  # "already exists" is fine
            when = imaplib.Time2Internaldate(arrived) if arrived else None
            status, answer = client.append(_quoted(folder), flags or None, when, raw)
            assert status == "OK", answer
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Message-ID (without <>) → flags, for every message in the folder."""
        client = self.connect()
        try:
            status, _answer = client.select(_quoted(folder))
            if status != "OK":
                return {}
            status, data = client.uid(
                "FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
            )
            found: dict[str, set[str]] = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags = set(imaplib.ParseFlags(item[0]) or ())
                header = item[1].decode("ascii", "replace")
                message_id = header.partition(":")[2].strip().strip("<>")
                found[message_id] = {flag.decode() for flag in flags}
            return found
        finally:
            client.logout()

    def unflag(self, folder: str = "INBOX") -> None:
        """Take every mark off the folder's messages, as a crash between the commit and the
        acknowledgement would leave them (or a person marking them unread)."""
        client = self.connect()
        try:
            client.select(_quoted(folder))
            client.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen $PishkhanDone)")
        finally:
            client.logout()


def _quoted(name: str) -> str:
    """A folder name for IMAP, non-ASCII in modified UTF-7 — written here independently of the
    product's encoder (from Python's UTF-7 codec), so the two check each other. Enough for the
    tests' names, each all ASCII (without "+", "&", "/") or all Persian."""
    encoded = name.encode("utf-7").decode("ascii").replace("+", "&").replace("/", ",")
    return f'"{encoded}"'


def _wait_for_port(process: subprocess.Popen, port: int) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(64).startswith(b"* OK"):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    internal_user, internal_group, login_user, mail_owner = _accounts()
    root = Path(tempfile.mkdtemp(prefix="pishkhan-dovecot-"))
    # Dovecot's unprivileged processes must reach their sockets and the mail below the root.
    root.chmod(0o755)
    (root / "mail").mkdir()
    (root / "state").mkdir()
    if os.geteuid() == 0:
        os.chown(root / "mail", mail_owner.pw_uid, mail_owner.pw_gid)
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=port,
            plain_host=PLAIN_HOST,
            password=IMAP_PASSWORD,
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
            uid=mail_owner.pw_uid,
            gid=mail_owner.pw_gid,
        )
    )
    output = (root / "stdout.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own binary and configuration
        [binary, "-F", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
    )
    server = Dovecot(host="127.0.0.1", port=port, root=root)
    try:
        if not _wait_for_port(process, port):
            process.kill()
            process.wait()
            said = (root / "stdout.log").read_text(errors="replace") + server.log()
            pytest.fail(
                f"Dovecot ({binary}) did not start on 127.0.0.1:{port} "
                f"with {config}:\n{said[-3000:]}",
                pytrace=False,
            )
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        output.close()
        shutil.rmtree(root, ignore_errors=True)


_users = itertools.count(1)


@pytest.fixture
def imap_account(dovecot: Dovecot) -> ImapAccount:
    """A user of its own on the test server: an empty INBOX for every test."""
    return ImapAccount(
        host=dovecot.host,
        port=dovecot.port,
        user=f"user{next(_users)}-{os.getpid()}@test.localhost",
        password=IMAP_PASSWORD,
    )
