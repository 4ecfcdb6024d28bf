"""Pishkhan polling a tenant's IMAP mailbox (C-1): fetch what has not been processed yet, hand
each message to the ingest, and acknowledge it on the server only after the ingest returned —
that is, after its ticket or reply was committed.

Acknowledging means marking the message `\\Seen` and `$PishkhanDone` (a keyword of our own), then
moving it to the mailbox's done folder when one is set. A crash between the commit and the
acknowledgement leaves the message unmarked, so the next poll fetches it again and the ingest,
idempotent by Message-ID, finds its row: processed again, never lost, never doubled.

What is fetched: a message not yet marked `$PishkhanDone` that is unread or arrived since the
mailbox was connected. Our own keyword, not `\\Seen`, is what says "done", so a person reading a
new message in their mail client before we poll does not hide it from us, and one marking a
processed message unread does not make it come again. Read mail from before the mailbox was
connected is history, not new requests. A server that cannot keep keywords falls back to unread
mail (and to the done folder, when set).
"""

from __future__ import annotations

import base64
import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.mail.models import Mailbox

log = logging.getLogger(__name__)

# Seconds a connect or a single read/write may take before the poll gives up on the server.
TIMEOUT = 30
DONE_KEYWORD = "$PishkhanDone"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Ingest = Callable[..., object]


@dataclass(frozen=True)
class PollResult:
    fetched: int = 0
    processed: int = 0
    failed: int = 0
    # Why the poll stopped early (connection, login, folder, server error); "" when it did not.
    error: str = ""


class _PollError(Exception):
    """The server cannot be worked with now; the message says why (shown to the admin)."""


def poll_mailbox(*, mailbox: Mailbox, ingest: Ingest | None = None, limit: int = 500) -> PollResult:
    """Fetch up to `limit` unprocessed messages of the mailbox's IMAP folder and ingest each.

    A message whose ingest raises is left as it is (fetched again next time) and counted as
    failed; the others go on. A server that cannot be reached or refuses the login is recorded
    on the mailbox (`last_error`), never raised: the next scheduled poll simply tries again."""
    if ingest is None:
        from pishkhan.mail.services import mail_ingest as ingest
    fetched = processed = failed = 0
    error = ""
    client: imaplib.IMAP4 | None = None
    try:
        client = _connect(mailbox)
        capabilities = _login(client, mailbox)
        keywords = _select(client, mailbox)
        for uid in _unprocessed(client, mailbox, keywords=keywords)[:limit]:
            raw = _fetch(client, uid)
            if raw is None:
                continue  # removed from the folder since the search
            fetched += 1
            try:
                ingest(mailbox=mailbox, raw=raw)
            except Exception:  # noqa: BLE001 - not stored, so not acknowledged: it comes again
                log.exception(
                    "mailbox %s: message %s not stored, left on the server", mailbox.pk, uid
                )
                failed += 1
                continue
            try:
                _acknowledge(
                    client, uid, mailbox=mailbox, capabilities=capabilities, keywords=keywords
                )
            except (_PollError, OSError, imaplib.IMAP4.error):
                # Stored but not marked: the next poll fetches it, the ingest finds its row.
                failed += 1
                raise
            processed += 1
    except _PollError as exc:
        error = str(exc)
    except (OSError, imaplib.IMAP4.error) as exc:
        # OSError covers refused connections, timeouts and TLS failures; IMAP4.abort (a
        # dropped connection) is an IMAP4.error.
        error = _("IMAP error: %(reason)s") % {"reason": _reason(exc)}
    finally:
        if client is not None:
            _close(client)
    if error:
        log.warning(
            "mailbox %s (%s@%s): %s", mailbox.pk, mailbox.imap_user, mailbox.imap_host, error
        )
    mailbox_record_poll(mailbox=mailbox, error=error)
    return PollResult(fetched=fetched, processed=processed, failed=failed, error=error)


def mailbox_record_poll(*, mailbox: Mailbox, error: str = "") -> None:
    """Remember when the mailbox was last polled and why it failed, for its admin. An update,
    not a save: a poll must not overwrite settings an admin changed meanwhile."""
    now = clock.now()
    error = error[:500]
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=error)
    mailbox.last_polled_at = now
    mailbox.last_error = error


def mailboxes_to_poll(*, address: str | None = None) -> QuerySet[Mailbox]:
    """Every active mailbox of an active tenant that has an IMAP server, across tenants: the
    poller serves them all."""
    mailboxes = (
        Mailbox.objects.select_related("tenant", "department")
        .filter(is_active=True, tenant__is_active=True)
        .exclude(imap_host="")
        .order_by("pk")
    )
    if address is not None:
        mailboxes = mailboxes.filter(address=address.strip().lower())
    return mailboxes


def poll_all(*, address: str | None = None) -> list[tuple[Mailbox, PollResult]]:
    """Poll the mailboxes one after another; one mailbox's failure does not stop the others."""
    results = []
    for mailbox in mailboxes_to_poll(address=address):
        try:
            result = poll_mailbox(mailbox=mailbox)
        except Exception as exc:  # noqa: BLE001 - e.g. the database gone: the next mailbox may work
            log.exception("mailbox %s could not be polled", mailbox.pk)
            result = PollResult(error=f"{type(exc).__name__}: {exc}")
        results.append((mailbox, result))
    return results


# --- the IMAP conversation ------------------------------------------------------------------


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    host, port = mailbox.imap_host, mailbox.imap_port
    try:
        if mailbox.imap_ssl:
            return imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        return imaplib.IMAP4(host, port, timeout=TIMEOUT)
    # UnicodeError: a name DNS cannot carry, saved before mailboxes' hosts were checked.
    except (OSError, UnicodeError, imaplib.IMAP4.error) as exc:
        raise _PollError(
            _("Could not connect to %(server)s: %(reason)s")
            % {"server": f"{host}:{port}", "reason": _reason(exc)}
        ) from exc


def _login(client: imaplib.IMAP4, mailbox: Mailbox) -> set[str]:
    """Log in (over STARTTLS when a plain connection offers it, so the password does not cross
    the network in clear) and return the server's capabilities after login."""
    try:
        if not mailbox.imap_ssl and "STARTTLS" in client.capabilities:
            client.starttls(ssl_context=ssl.create_default_context())
        user, password = mailbox.imap_user, mailbox.imap_password
        if (user + password).isascii():
            client.login(user, password)
        else:
            # LOGIN takes only ASCII; SASL PLAIN carries UTF-8 (a Persian password).
            secret = f"\0{user}\0{password}".encode()
            client.authenticate("PLAIN", lambda _challenge: secret)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise _PollError(
            _("The IMAP server refused the login of %(user)s: %(reason)s")
            % {"user": mailbox.imap_user, "reason": _reason(exc)}
        ) from exc
    status, data = client.capability()
    words = b" ".join(part for part in data if isinstance(part, bytes)).decode("ascii", "replace")
    return {word.upper() for word in words.split()} if status == "OK" else set()


def _select(client: imaplib.IMAP4, mailbox: Mailbox) -> bool:
    """Open the folder; True when the server keeps keywords of our own on its messages."""
    status, data = client.select(mailbox_name(mailbox.imap_folder or "INBOX"))
    if status != "OK":
        raise _PollError(
            _("The folder %(folder)s could not be opened: %(reason)s")
            % {"folder": mailbox.imap_folder, "reason": _text(data)}
        )
    _code, permanent = client.response("PERMANENTFLAGS")
    flags = _text(permanent)
    return "\\*" in flags or DONE_KEYWORD.lower() in flags.lower()


def _unprocessed(client: imaplib.IMAP4, mailbox: Mailbox, *, keywords: bool) -> list[bytes]:
    since = mailbox.created_at - timedelta(days=1)  # SINCE counts in the server's time zone
    recent = f"OR UNSEEN SINCE {since.day}-{MONTHS[since.month - 1]}-{since.year}"
    if keywords:
        criteria = f"NOT DELETED NOT KEYWORD {DONE_KEYWORD} {recent}"
    elif mailbox.imap_done_folder:
        criteria = f"NOT DELETED {recent}"  # what is done has been moved away
    else:
        criteria = "NOT DELETED UNSEEN"
    status, data = client.uid("SEARCH", criteria)
    if status != "OK":
        raise _PollError(_("IMAP error: %(reason)s") % {"reason": _text(data)})
    uids = b" ".join(part for part in data if isinstance(part, bytes)).split()
    # Oldest first, so a conversation's messages arrive in the order they were written.
    return sorted(uids, key=int)


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # PEEK: fetching must not mark the message read; only the acknowledgement does.
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise _PollError(_("IMAP error: %(reason)s") % {"reason": _text(data)})
    for item in data:
        if isinstance(item, tuple) and b"BODY[]" in item[0].upper():
            return item[1]
    return None


def _acknowledge(
    client: imaplib.IMAP4, uid: bytes, *, mailbox: Mailbox, capabilities: set[str], keywords: bool
) -> None:
    # Marked before it is moved: a message moved back to the folder by hand stays done.
    flags = f"(\\Seen {DONE_KEYWORD})" if keywords else "(\\Seen)"
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", flags))
    if mailbox.imap_done_folder:
        _move(client, uid, mailbox_name(mailbox.imap_done_folder), capabilities=capabilities)


def _move(client: imaplib.IMAP4, uid: bytes, target: str, *, capabilities: set[str]) -> None:
    for attempt in (1, 2):
        if "MOVE" in capabilities:
            status, data = client.uid("MOVE", uid, target)
        else:
            status, data = client.uid("COPY", uid, target)
        if status == "OK":
            break
        if attempt == 1 and "TRYCREATE" in _text(data).upper():
            client.create(target)  # the done folder is made on first use
            continue
        raise _PollError(
            _("Could not move a processed message: %(reason)s") % {"reason": _text(data)}
        )
    if "MOVE" in capabilities:
        return
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"))
    if "UIDPLUS" in capabilities:
        _check(client.uid("EXPUNGE", uid))
        return
    # A plain EXPUNGE removes every message marked deleted, also those a person marked and may
    # still undelete: expunge only when ours is the only one. Otherwise it stays, marked
    # deleted (never fetched again), until their mail client expunges.
    status, data = client.uid("SEARCH", "DELETED")
    if status == "OK" and b" ".join(p for p in data if isinstance(p, bytes)).split() == [uid]:
        _check(client.expunge())


def _close(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        pass  # the connection is gone either way


def _check(answer: tuple[str, list]) -> None:
    status, data = answer
    if status != "OK":
        raise _PollError(_("IMAP error: %(reason)s") % {"reason": _text(data)})


def _text(data) -> str:
    if isinstance(data, list | tuple):
        return " ".join(_text(part) for part in data if part is not None)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return "" if data is None else str(data)


def _reason(exc: BaseException) -> str:
    return _text(exc.args[0] if exc.args else "") or type(exc).__name__


def mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3) for non-ASCII names such
    as a Persian «انجام‌شده», quoted."""
    encoded: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            encoded.append("&" + data.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(encoded)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
