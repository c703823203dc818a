"""``regionet serve``: the REST API and the dashboard on a local web server (uvicorn).

FastAPI and uvicorn are imported only when the command runs, so ``regionet --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[str, typer.Option("--db", envvar="REGIONET_DB",
                                    help="Workspace SQLite file or database URL (env "
                                         "REGIONET_DB); when it does not exist the bundled "
                                         "case is served read-only.")] = "regionet.db",
    public_read: Annotated[bool, typer.Option(
        "--public-read", help="Let requests without a token read the workspace (writes "
                              "always need one).")] = False,
) -> None:
    """Serve the REST API (/api, docs at /docs) and the dashboard (/) with uvicorn."""
    try:
        import uvicorn

        from regionet.interfaces.api import create_app
        from regionet.services.case_source import CaseSource
    except ImportError as exc:  # the server's dependencies are an optional extra
        typer.echo(f"error: `regionet serve` needs FastAPI and uvicorn ({exc.name} is not "
                   "installed): pip install 'regionet[serve]'", err=True)
        raise typer.Exit(1) from None

    typer.echo(f"regionet: {CaseSource.open(db).describe()}")
    typer.echo(f"regionet: dashboard http://{host}:{port}/ , API docs http://{host}:{port}/docs "
               "(Ctrl+C to stop)")
    uvicorn.run(create_app(db, public_read=public_read), host=host, port=port, log_level="info")
