"""The import page: every kind of file a user can import, with an upload that starts the import job.

Mounted by ``feedback/pages.py``, beside the embeddable form's pages (``intake.form_pages``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import FieldError, PayloadTooLarge, ValidationFailed
from northstar.core.tabular import parse_mapping
from northstar.feedback.importers import service as import_service
from northstar.feedback.schemas import FeedbackImportRow
from northstar.web.deps import CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/feedback/imports")
def imports_page(
    request: Request, user: CurrentUser, kind: Annotated[str, Query(max_length=32)] = "zendesk"
) -> Response:
    return render(
        request,
        "feedback_imports.html",
        user=user,
        kinds=import_service.source_kinds(),
        selected=kind,
        can_import=user.actor.can("feedback.write"),
        table_fields=list(FeedbackImportRow.model_fields),
    )


@router.post("/feedback/imports")
async def start_import(request: Request, user: CurrentUser) -> Response:
    """Keep the uploaded file, start its import job, and show the job's progress page."""
    declared = request.headers.get("content-length", "")
    limit = import_service.MAX_UPLOAD_BYTES
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise PayloadTooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("choose a file to import", [FieldError("file", "missing")])
    factory = request.app.state.session_factory
    with factory() as session:
        params = import_service.store_upload(
            session,
            user.actor,
            str(form.get("kind", "")),
            upload.filename,
            await upload.read(limit + 1),
            parse_mapping(str(form.get("map", "")) or None),
            form.get("skip_invalid") == "on",
        )
        job = request.app.state.jobs.submit(session, user.actor, import_service.JOB_KIND, params)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
