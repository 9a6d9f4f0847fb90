"""JSON API for file imports, run as jobs (the intake endpoints and the form's settings are ``intake.api``).

Mounted by ``feedback/api.py`` (``router.include_router(import_api.router)``) under ``/api/v1/feedback``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from northstar.core.errors import FieldError, PayloadTooLarge, ValidationFailed
from northstar.core.tabular import parse_mapping
from northstar.feedback.importers import service as import_service
from northstar.feedback.importers.limits import read_body
from northstar.feedback.importers.schemas import ImportStarted, SourceKindRead
from northstar.web.deps import DB, ApiActor

router = APIRouter()


@router.get("/imports/kinds", tags=["feedback"])
def list_import_kinds(actor: ApiActor) -> list[SourceKindRead]:
    """The kinds of file that can be imported (tools' exports and tables), with the channel each lands in."""
    return import_service.source_kinds()


@router.post(
    "/imports",
    status_code=202,
    tags=["feedback"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def start_import(
    request: Request,
    response: Response,
    session: DB,
    actor: ApiActor,
    kind: Annotated[str, Query(min_length=1, max_length=32, description="zendesk, intercom, csv, …")],
    filename: Annotated[
        str | None, Query(max_length=200, description="For a raw body: the file's name.")
    ] = None,
    map: Annotated[
        str | None, Query(max_length=2000, description="'file column=field,…' (tables only)")
    ] = None,
    skip_invalid: bool = False,
) -> ImportStarted:
    """Upload a file (multipart ``file`` field, or the raw body) and import it as a background job.

    Answers 202 with the job; poll ``GET /api/v1/jobs/{id}`` for progress and the report. All-or-nothing unless
    ``skip_invalid``; importing the same export again updates its items instead of duplicating them.
    """
    name, data = await _upload(request, filename, kind)
    params = import_service.store_upload(session, actor, kind, name, data, parse_mapping(map), skip_invalid)
    job = request.app.state.jobs.submit(session, actor, import_service.JOB_KIND, params)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return ImportStarted(
        job_id=job.id,
        status=job.status,
        kind=params["kind"],
        file=params["filename"],
        progress_url=f"/api/v1/jobs/{job.id}",
        page_url=f"/jobs/{job.id}",
    )


async def _upload(request: Request, filename: str | None, kind: str) -> tuple[str, bytes]:
    """The uploaded file's name and content, from a multipart form or the raw body (at most 50 MB)."""
    limit = import_service.MAX_UPLOAD_BYTES
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return filename or f"upload.{kind}", await read_body(request, limit)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise PayloadTooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed(
            "send the file in a multipart field named 'file'", [FieldError("file", "missing")]
        )
    return upload.filename or filename or f"upload.{kind}", await upload.read(limit + 1)
