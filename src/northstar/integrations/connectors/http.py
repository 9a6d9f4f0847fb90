"""HTTP to a service with bounded retries: a 429 (or 503) waits the service's Retry-After, then tries again.

Credentials travel only in request headers, which are never logged here; error messages name the service,
the status and what to check, never a header.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from northstar.core.errors import NorthstarError
from northstar.integrations.engine.workflow import retry_wait

#: attempts per request before a rate limit is reported as a failure (the cursor stays where it was)
MAX_ATTEMPTS = 5
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
#: how a wait is spent; tests replace it to record the waits instead of sleeping
SLEEP: Callable[[float], None] = time.sleep


class ServiceError(NorthstarError):
    """The service refused or failed a request; ``detail`` says what to check."""

    status = 502
    type_slug = "integration-failed"
    title = "The connected service failed"


_HINTS = {
    401: "check the credentials",
    403: "check the token's permissions",
    404: "check the address, repository or project",
}


class ServiceClient:
    """An ``httpx.Client`` for one service account; counts the retries it made."""

    def __init__(self, label: str, base_url: str, headers: dict[str, str], auth: Any = None) -> None:
        self.label = label
        self.retries = 0
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, auth=auth, timeout=TIMEOUT, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The response to a request, after waiting out at most ``MAX_ATTEMPTS - 1`` rate limits."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                raise ServiceError(f"{self.label} could not be reached: {type(exc).__name__}")
            limited = response.status_code in (429, 503) or (
                response.status_code == 403 and "retry-after" in response.headers  # GitHub's secondary limit
            )
            if not limited:
                break
            if attempt == MAX_ATTEMPTS:
                raise ServiceError(
                    f"{self.label} kept answering {response.status_code} (rate limited) after "
                    f"{MAX_ATTEMPTS} attempts; the sync stopped and resumes from the same place next time"
                )
            self.retries += 1
            SLEEP(retry_wait(attempt, response.headers.get("retry-after")))
        if response.status_code >= 400:
            hint = _HINTS.get(response.status_code, "try again later")
            raise ServiceError(
                f"{self.label} answered {response.status_code} to {method} {httpx.URL(url).path}: {hint}"
            )
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ServiceError(
                f"{self.label} answered {method} {httpx.URL(url).path} with something not JSON"
            )
