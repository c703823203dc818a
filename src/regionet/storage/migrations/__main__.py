"""Developers' entry point: ``python -m regionet.storage.migrations revision "what changes"``.

Writes ``versions/NNNN_what_changes.py`` numbered after the head (``0005`` after ``0004``),
from the template, for you to fill with frozen DDL. ``--autogenerate --db URL`` drafts the
operations by comparing the database at URL (upgraded to the head first) with
:mod:`regionet.storage.schema`; review the draft, it is only a start. ``heads`` prints the head.
"""

from __future__ import annotations

import argparse
import re

from alembic import command

from regionet.storage.database import Database
from regionet.storage.migrations import config, head, script, upgrade


def main(argv: list[str] | None = None) -> None:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m regionet.storage.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser("revision", help="write a new, empty (or drafted) revision")
    new.add_argument("message")
    new.add_argument("--autogenerate", action="store_true")
    new.add_argument("--db", help="the database to compare with (--autogenerate)")
    sub.add_parser("heads", help="print the newest revision")
    args = parser.parse_args(argv)
    if args.command == "heads":
        print(head())
        return
    rev_id = f"{int(head()) + 1:04d}"
    slug = re.sub(r"[^a-z0-9]+", "_", args.message.lower()).strip("_")[:40]
    if args.autogenerate:
        if not args.db:
            parser.error("--autogenerate needs --db URL (a scratch database)")
        db = Database(args.db)
        with db.connect() as conn, conn.begin():
            upgrade(conn)
            command.revision(config(conn), message=args.message, autogenerate=True,
                             rev_id=rev_id)
    else:
        command.revision(config(), message=args.message, rev_id=rev_id)
    script.cache_clear()
    print(f"wrote revision {rev_id} ({slug}) in {config().get_main_option('script_location')}"
          "/versions")


if __name__ == "__main__":
    main()
