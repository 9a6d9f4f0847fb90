"""Credentials of a connection, encrypted at rest with a key derived from the server's secret.

The key is HKDF-SHA256 over the server's secret key (``NORTHSTAR_SECRET_KEY`` or the generated file in the data
directory) with a purpose of its own, so it differs from every other use of that secret; Fernet (AES-128-CBC with
an HMAC-SHA256 tag) encrypts the JSON of the credentials. Changing the server's secret makes stored credentials
unreadable: the connection then asks for them again instead of failing with a stack trace.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from northstar.core.errors import Conflict

_SALT = b"northstar.integrations.credentials"
_INFO = b"connection credentials v1"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, values: dict[str, str]) -> str:
    """The encrypted form of ``values`` (a Fernet token, ASCII)."""
    return _fernet(secret_key).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(secret_key: str, token: str) -> dict[str, str]:
    """The credentials sealed in ``token``; ``Conflict`` when the server's secret changed since."""
    if not token:
        return {}
    try:
        data = json.loads(_fernet(secret_key).decrypt(token.encode()))
    except InvalidToken:
        raise Conflict(
            "the stored credentials cannot be decrypted: the server's secret key changed since they were "
            "saved; enter them again"
        )
    return {str(k): str(v) for k, v in dict(data).items()}
