"""Encryption of stored credentials (an OIDC client secret, a TOTP secret) with a key derived from the server's
secret key, so a copy of the database alone does not reveal them.

The key is HKDF-SHA256 of the server secret with a fixed context label, used as a Fernet key (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` package). Changing the server secret makes stored credentials unreadable:
they must then be entered again, which ``SecretBox.decrypt`` says in its error.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from northstar.core.errors import NorthstarError

_CONTEXT = b"northstar stored credentials v1"


class SecretBox:
    """Encrypts and decrypts short secrets with a key derived from the server's secret key."""

    def __init__(self, server_secret: str) -> None:
        if not server_secret:
            raise ValueError("the server secret key is empty")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
            server_secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise NorthstarError(
                "a stored secret cannot be read with this server's secret key (was NORTHSTAR_SECRET_KEY changed?); "
                "enter it again"
            ) from None
