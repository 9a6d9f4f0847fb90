"""JSON responses from pydantic models, serialized once.

A route that returns a model has FastAPI validate it again against the declared response model (on another
thread, for a synchronous route) and then serialize it. The busiest list endpoints build their models from
validated rows already, so they declare ``response_model=`` for the OpenAPI document and return
``model_response(page)``: pydantic writes the JSON bytes directly. On ``GET /api/v1/feedback`` that saved about a
tenth of the request's CPU time (benchmarks/web_pages.py).
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as an ``application/json`` response, with the same field names FastAPI would write."""
    return Response(
        model.model_dump_json(by_alias=True), status_code=status_code, media_type="application/json"
    )
