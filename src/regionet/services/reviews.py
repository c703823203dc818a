"""Changing records through review: propose, accept, reject (the API's writes).

The workspace's tables hold accepted records only, so every read and analysis shows
accepted data. An editor's create, update or delete is stored as a *proposal*. An update or
a delete names the version it changes (``If-Match``, the record's ETag): a stale one is
refused with 412 and the current record, and while one proposal to change a record waits
for review, another is refused the same way, so two editors never both change the same
version. A reviewer (or admin) who is not the author accepts it, giving the status the
evidence supports (verified, partial, assumed): the change is validated as the CLI import
validates a file, applied, and written to the history in one transaction that also bumps
the workspace's revision; or rejects it, with a reason.

Examples:
    >>> "verified" in STATUSES
    True
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regionet.core.errors import (
    ConflictError,
    DataFileError,
    InvalidValueError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from regionet.model.sources import Status
from regionet.services.accounts import Principal, require
from regionet.services.case_source import CaseSource, reading, workspace_of
from regionet.services.paging import Listing, Page
from regionet.storage import history, proposals
from regionet.storage.changes import ACTIONS, apply_change, check_payload, import_batch
from regionet.storage.imports import infer_table

__all__ = ["STATUSES", "accept", "current", "list_proposals", "pending", "proposal", "propose",
           "reject", "upload"]

STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


def _unknown(resource: str, record_id: str) -> UnknownReferenceError:
    return UnknownReferenceError(f"unknown {resource[:-1]}", field="id", value=record_id,
                                 expected=f"an id of the workspace's {resource}")


def current(source: CaseSource, resource: str, record_id: str
            ) -> tuple[dict[str, str], str]:
    """The accepted record as its case-file row, and its ETag.

    Raises:
        UnknownReferenceError: no such record.
    """
    with reading(source) as conn:
        row = history.record_row(conn, resource, record_id)
    if row is None:
        raise _unknown(resource, record_id)
    return row, history.etag(row)


def propose(source: CaseSource, who: Principal | None, resource: str, action: str,
            record_id: str, payload: dict[str, Any] | None = None, *,
            if_match: str | None = None) -> dict[str, Any]:
    """Store an editor's change as a proposal; return it.

    Raises:
        AuthenticationError, PermissionDeniedError: no account, or a reader.
        PreconditionRequiredError: an update or delete without ``if_match``.
        PreconditionFailedError: ``if_match`` is not the record's ETag, or another proposal
            to change the record waits for review (``current`` holds the record).
        ConflictError: a create of an id that exists or is already proposed.
        ValidationError, InvalidValueError: a payload that cannot be a record's row, or
            a change the import's validation refuses (checked now and again on accept).
    """
    author = require(who, "editor", f"proposing a {action}")
    if action not in ACTIONS:
        raise InvalidValueError("unknown action", field="action", value=action,
                                expected="one of " + ", ".join(ACTIONS))
    row = None if action == "delete" else check_payload(resource, record_id, payload or {})
    if action != "create" and if_match is None:
        raise PreconditionRequiredError(
            f"an {action} must say which version it changes", field="If-Match",
            expected="the record's ETag, from GET of the record")
    ws = workspace_of(source)
    ws.upgrade()
    with ws.database.writing() as conn:
        proposals.lock_record(conn, resource, record_id)
        now_row = history.record_row(conn, resource, record_id)
        pending = proposals.pending_for(conn, resource, record_id)
        if action == "create":
            if now_row is not None or pending is not None:
                raise ConflictError("a record with this id exists or is already proposed",
                                    field="id", value=record_id, expected="a new id",
                                    current=now_row)
        else:
            if now_row is None:
                raise _unknown(resource, record_id)
            tag = history.etag(now_row)
            if if_match not in (tag, "*"):
                raise PreconditionFailedError(
                    "the record changed since you read it", field="If-Match",
                    value=if_match, expected=tag, current=now_row, etag=tag,
                    hint="Read the record again and re-apply your change")
            if pending is not None:
                raise PreconditionFailedError(
                    f"proposal {pending['id']} by {pending['author']} already changes this "
                    "version and waits for review", field="If-Match", value=if_match,
                    expected="no other pending change", current=now_row, etag=tag,
                    hint="Wait for its review, then read the record again")
        trial = conn.begin_nested()  # validate now, as an accept would; keep nothing
        try:
            apply_change(conn, resource, action, record_id, row)
        finally:
            trial.rollback()
        return proposals.insert(
            conn, resource=resource, record_id=record_id, action=action, payload=row,
            base_etag=None if now_row is None else history.etag(now_row),
            author=author.name, created_at=history.now(), state="proposed")


def _open_proposal(conn: Any, proposal_id: int, reviewer: Principal) -> dict[str, Any]:
    found = proposals.get(conn, proposal_id)
    if found is None:
        raise UnknownReferenceError("unknown proposal", field="proposal_id",
                                    value=str(proposal_id), expected="a proposal id")
    if found["state"] != "proposed":
        raise ConflictError(f"proposal {proposal_id} was already {found['state']}",
                            field="proposal_id", value=str(proposal_id),
                            expected="a proposal under review")
    if found["author"] == reviewer.name:
        raise PermissionDeniedError("a proposal cannot be reviewed by its author",
                                    field="proposal_id", value=str(proposal_id),
                                    expected="a proposal by someone else")
    return found


def accept(source: CaseSource, who: Principal | None, proposal_id: int, status: str
           ) -> dict[str, Any]:
    """Accept a proposal with the status the evidence supports; apply it; return it.

    Raises:
        PermissionDeniedError: not a reviewer, or the proposal's author.
        ConflictError: the proposal was decided already, or its record changed since it
            was proposed (naming the proposal; nothing is written).
        ValidationError: the change is refused by the import's validation.
    """
    reviewer = require(who, "reviewer", "accepting a proposal")
    if status not in STATUSES:
        raise InvalidValueError("unknown status", field="status", value=status,
                                expected="one of " + ", ".join(STATUSES),
                                hint=did_you_mean(status, STATUSES))
    ws = workspace_of(source)
    with ws.writing(f"proposal {proposal_id} accepted") as conn:
        found = _open_proposal(conn, proposal_id, reviewer)
        resource, record_id = found["resource"], found["record_id"]
        if found["action"] == "import":  # a batch of files: validated again, all or nothing
            _accept_upload(conn, found)
            proposals.decide(conn, proposal_id, state="accepted", reviewer=reviewer.name,
                             reviewed_at=history.now(), status_given=status)
            decided = proposals.get(conn, proposal_id)
            assert decided is not None
            return decided
        proposals.lock_record(conn, resource, record_id)
        now_row = history.record_row(conn, resource, record_id)
        tag = None if now_row is None else history.etag(now_row)
        if tag != found["base_etag"]:
            raise ConflictError(
                f"proposal {proposal_id} was made on a version of {record_id} that is no "
                "longer current", field="proposal_id", value=str(proposal_id),
                expected=f"a proposal based on {tag}", current=now_row, etag=tag,
                hint="Reject it; its author can propose again on the current version")
        row = found["payload"]
        if row is not None:
            row = {**row, "status": status}
        before, after = apply_change(conn, resource, found["action"], record_id, row)
        at = history.now()
        history.append(conn, resource, record_id, found["action"], found["author"], before,
                       after, proposal_id=proposal_id, at=at)
        proposals.decide(conn, proposal_id, state="accepted", reviewer=reviewer.name,
                         reviewed_at=at, status_given=status)
        decided = proposals.get(conn, proposal_id)
    assert decided is not None
    return decided


def reject(source: CaseSource, who: Principal | None, proposal_id: int, reason: str
           ) -> dict[str, Any]:
    """Reject a proposal with a reason (required); nothing else changes."""
    reviewer = require(who, "reviewer", "rejecting a proposal")
    if not reason.strip():
        raise InvalidValueError("a rejection needs a reason", field="reason", value=reason,
                                expected="a non-empty reason")
    ws = workspace_of(source)
    ws.upgrade()
    with ws.database.writing() as conn:
        _open_proposal(conn, proposal_id, reviewer)
        proposals.decide(conn, proposal_id, state="rejected", reviewer=reviewer.name,
                         reviewed_at=history.now(), reason=reason.strip())
        decided = proposals.get(conn, proposal_id)
    assert decided is not None
    return decided


def list_proposals(source: CaseSource, *, state: str | None = None, page: Page | None = None
                   ) -> Listing[dict[str, Any]]:
    """Proposals by id (those of ``state`` if given), one page."""
    if state is not None and state not in proposals.STATES:
        raise InvalidValueError("unknown state", field="state", value=state,
                                expected="one of " + ", ".join(proposals.STATES))
    p = page or Page(100, 0)
    if source.kind != "workspace":  # a bundled case is read-only: nothing is proposed
        return Listing([], 0)
    ws = workspace_of(source)
    ws.upgrade()
    with ws.database.reading() as conn:
        rows, total = proposals.listing(conn, state=state, limit=p.limit, offset=p.offset)
    return Listing(rows, total)


def pending(source: CaseSource, resource: str, record_id: str | None = None
            ) -> list[dict[str, Any]]:
    """The proposed records of ``resource`` (of one record, if given), for readers.

    Each is ``{proposal_id, state, action, record_id, author, created_at, row}``: ``row`` is
    the proposed row (None for a delete). A bundled case has none.
    """
    if source.kind != "workspace":
        return []
    ws = workspace_of(source)
    ws.upgrade()
    with ws.database.reading() as conn:
        found = proposals.pending(conn, resource, record_id)
    return [{"proposal_id": p["id"], "state": p["state"], "action": p["action"],
             "record_id": p["record_id"], "author": p["author"],
             "created_at": p["created_at"], "row": p["payload"]} for p in found]


def proposal(source: CaseSource, proposal_id: int) -> dict[str, Any]:
    """One proposal.

    Raises:
        UnknownReferenceError: no such proposal.
    """
    found = None
    if source.kind == "workspace":
        ws = workspace_of(source)
        ws.upgrade()
        with ws.database.reading() as conn:
            found = proposals.get(conn, proposal_id)
    if found is None:
        raise UnknownReferenceError("unknown proposal", field="proposal_id",
                                    value=str(proposal_id), expected="a proposal id")
    return found


@contextmanager
def _as_uploaded(folder: str) -> Iterator[None]:
    """Name files in errors as they were uploaded, never by the server's temporary path."""
    prefix = str(Path(folder)) + "/"

    def strip(error: RegionetError) -> RegionetError:
        error.file = error.file.replace(prefix, "") if error.file else error.file
        error.message = error.message.replace(prefix, "")
        return error

    try:
        yield
    except ValidationError as exc:
        raise ValidationError.from_errors([strip(e) for e in exc.errors]) from None
    except RegionetError as exc:
        raise strip(exc) from None


def _write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, content in files.items():
        safe = Path(name).name
        if not safe or safe != name or safe.startswith("."):
            raise InvalidValueError("invalid file name", field="files", value=name,
                                    expected="a plain file name such as ties.csv")
        path = folder / safe
        path.write_bytes(content)
        try:
            infer_table(path)  # the name must say which table the file feeds
        except DataFileError as err:  # the upload's fault, not an unavailable file (503)
            raise InvalidValueError(err.message, file=name, field="files", value=name,
                                    expected=err.expected, hint=err.hint) from None
        paths.append(path)
    return paths


def upload(source: CaseSource, who: Principal | None, files: dict[str, bytes]
           ) -> tuple[str, dict[str, Any]]:
    """Import uploaded files: an admin's at once, an editor's as one batch proposal.

    The files are validated exactly as ``regionet data import`` validates them, against the
    workspace, and nothing is written if any row is refused.

    Returns:
        ``("imported", rows per table)`` for an admin, ``("proposed", the proposal)`` for an
        editor or reviewer.

    Raises:
        ValidationError: listing every problem (file, row, field, value, expected).
    """
    author = require(who, "editor", "uploading files")
    if not files:
        raise InvalidValueError("no files", field="files", expected="one or more CSV or "
                                "JSON files named after their table (ties.csv…)")
    ws = workspace_of(source)
    with tempfile.TemporaryDirectory(prefix="regionet-upload-") as folder, \
            _as_uploaded(folder):
        paths = _write_files(Path(folder), files)
        if author.role == "admin":
            with ws.writing("upload " + ",".join(sorted(files))) as conn:
                return "imported", import_batch(conn, paths, author.name)
        ws.upgrade()
        with ws.database.writing() as conn:
            trial = conn.begin_nested()
            try:
                counts = import_batch(conn, paths, author.name)
            finally:
                trial.rollback()
            texts = {name: content.decode("utf-8") for name, content in files.items()}
            digest = hashlib.sha256(repr(sorted(texts.items())).encode()).hexdigest()[:12]
            return "proposed", proposals.insert(
                conn, resource="imports", record_id=f"upload-{digest}", action="import",
                payload={"files": texts, "rows": counts}, base_etag=None,
                author=author.name, created_at=history.now(), state="proposed")


def _accept_upload(conn: Any, found: dict[str, Any]) -> None:
    files = {name: text.encode("utf-8") for name, text in found["payload"]["files"].items()}
    with tempfile.TemporaryDirectory(prefix="regionet-upload-") as folder:
        import_batch(conn, _write_files(Path(folder), files), found["author"],
                     proposal_id=found["id"])
