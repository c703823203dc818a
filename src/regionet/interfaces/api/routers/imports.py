"""``POST /api/imports``: upload CSV or JSON files; an admin's are imported, an editor's proposed.

The files are validated as ``regionet data import`` validates them (same messages); with any
problem the answer is a 422 problem listing each (file, row, field, value, expected) and
nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile

from regionet.interfaces.api.deps import PrincipalDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.services import reviews

__all__ = ["router"]

router = APIRouter(prefix="/imports", tags=["writes"])


@router.post("", responses={
    **problem_responses(400, 401, 403, 413, 422, 503),
    202: {"description": "An editor's upload, stored as one proposal (the proposal)"}})
async def upload_files(
    source: SourceDep, who: PrincipalDep, response: Response,
    files: Annotated[list[UploadFile], File(description="files named after their table: "
                                                        "actors.csv, ties.csv, …")],
) -> dict[str, Any]:
    """Upload files: imported at once (admin, 200) or proposed as one batch (editor, 202)."""
    contents = {f.filename or "": await f.read() for f in files}
    from starlette.concurrency import run_in_threadpool

    outcome, body = await run_in_threadpool(reviews.upload, source, who, contents)
    if outcome == "proposed":
        response.status_code = 202
        response.headers["Location"] = f"/api/proposals/{body['id']}"
        return body
    return {"imported": body}
