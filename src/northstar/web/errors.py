"""One place that turns errors into responses: RFC 9457 JSON for the API, an error page for the web."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from northstar.core.errors import NorthstarError
from northstar.web.deps import LoginRedirect
from northstar.web.templating import render

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "")
        or "text/html" not in request.headers.get("accept", "")
    )


def _problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    errors: list[dict[str, Any]] | None = None,
    slug: str = "error",
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://northstar.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(request, "error.html", status_code=status, title=title, detail=detail, status=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRedirect)
    async def _login_redirect(request: Request, exc: LoginRedirect) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(NorthstarError)
    async def _domain_error(request: Request, exc: NorthstarError) -> Response:
        if _wants_json(request):
            errors = [e.as_dict() for e in exc.errors] or None
            return _problem(exc.status, exc.title, exc.detail, request, errors, exc.type_slug)
        return _page(request, exc.status, exc.title, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        if _wants_json(request):
            return _problem(422, "Invalid input", detail, request, errors, "validation-failed")
        return _page(request, 422, "Invalid input", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail)
        if _wants_json(request):
            response = _problem(exc.status_code, detail, detail, request, slug=f"http-{exc.status_code}")
            if exc.headers:
                response.headers.update(exc.headers)
            return response
        return _page(request, exc.status_code, detail, detail)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        detail = "a value is out of range for storage (for example an id or number too large)"
        if _wants_json(request):
            return _problem(422, "Invalid input", detail, request, slug="validation-failed")
        return _page(request, 422, "Invalid input", detail)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        detail = "the change conflicts with existing data (a duplicate or a missing reference)"
        if _wants_json(request):
            return _problem(409, "Conflict", detail, request, slug="conflict")
        return _page(request, 409, "Conflict", detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return _problem(
                500, "Internal error", "an unexpected error happened; it has been logged", request
            )
        return _page(
            request, 500, "Something went wrong", "An unexpected error happened; it has been logged."
        )
