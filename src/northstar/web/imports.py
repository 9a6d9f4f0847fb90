"""The web's two-step CSV import: upload a file, map its columns to fields, then run the import as a job.

The uploaded file waits under the data directory (``uploads/``) between the two steps, named by a random
token, so the mapping step never round-trips the file through the browser.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request, UploadFile
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import PayloadTooLarge, ValidationFailed
from northstar.core.tabular import decode_bytes, read_csv
from northstar.web.deps import PageUser, check_csrf
from northstar.web.templating import render

MAX_UPLOAD = 50 * 1024 * 1024
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class ImportTarget:
    """What an import fills: its title, the job kind, the fields a column can map to, and the required ones."""

    title: str
    job_kind: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    action: str


def _uploads(request: Request) -> Path:
    folder = request.app.state.settings.resolved_home() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _guess(header: str, fields: tuple[str, ...]) -> str:
    normal = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")
    return normal if normal in fields else ""


def upload_form(request: Request, user: PageUser, target: ImportTarget) -> Response:
    return render(request, "import_upload.html", user=user, target=target)


async def mapping_step(
    request: Request, user: PageUser, target: ImportTarget, upload: UploadFile, csrf_token: str
) -> Response:
    """Keep the uploaded file and show its columns with a field to map each to."""
    check_csrf(user, csrf_token)
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    name = upload.filename or "upload.csv"
    text = decode_bytes(data, name)
    parsed = read_csv(text, None, name)
    token = secrets.token_urlsafe(24)
    (_uploads(request) / f"{token}.csv").write_text(text, encoding="utf-8")
    columns = [
        (header, _guess(header, target.fields), [row.get(header, "") for row in parsed.rows[:3]])
        for header in parsed.headers
        if header
    ]
    return render(
        request,
        "import_mapping.html",
        user=user,
        target=target,
        token=token,
        filename=name,
        columns=columns,
        rows=len(parsed.rows),
    )


async def start_import(request: Request, user: PageUser, target: ImportTarget) -> Response:
    """Run the import with the chosen mapping as a background job, then show its progress page."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    token = str(form.get("token", ""))
    if not TOKEN.match(token):
        raise ValidationFailed("the upload has expired; upload the file again")
    path = _uploads(request) / f"{token}.csv"
    if not path.exists():
        raise ValidationFailed("the upload has expired; upload the file again")
    mapping: dict[str, str] = {}
    for key, value in form.multi_items():
        if key.startswith("map:") and str(value):
            if str(value) not in target.fields:
                raise ValidationFailed(f"unknown field {value!r}")
            mapping[key[4:]] = str(value)
    missing = [f for f in target.required if f not in mapping.values()]
    if missing:
        raise ValidationFailed(f"map a column to the required field(s): {', '.join(missing)}")
    params = {
        "csv": path.read_text(encoding="utf-8"),
        "mapping": mapping,
        "skip_invalid": form.get("skip_invalid") == "on",
        "source_name": str(form.get("filename", "upload")),
    }
    path.unlink(missing_ok=True)
    session_factory = request.app.state.session_factory
    with session_factory() as session:
        job = request.app.state.jobs.submit(session, user.actor, target.job_kind, params)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
