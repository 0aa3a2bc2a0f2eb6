"""Password hashes: Argon2id (argon2-cffi) for every new hash; the werkzeug hashes stored before still verify.

``hash_password`` writes ``$argon2id$…``. ``verify_password`` reads that, and the two formats
``werkzeug.security`` wrote before (``scrypt:N:r:p$salt$hex`` and ``pbkdf2:method:iterations$salt$hex``),
checked here with ``hashlib`` so that ``kb`` does not import the web stack. ``needs_rehash`` says when a
stored hash should be replaced (an old format or older Argon2 parameters): ``kb.accounts.users.authenticate``
rehashes at the next successful login.
"""
from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # Argon2id with the library's recommended parameters
ARGON2_PREFIX = "$argon2"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; False for an unreadable hash (e.g. "-", no password)."""
    stored = stored or ""
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _verify_werkzeug(stored, password)


def needs_rehash(stored: str) -> bool:
    stored = stored or ""
    if not stored.startswith(ARGON2_PREFIX):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_werkzeug(stored: str, password: str) -> bool:
    """``werkzeug.security.check_password_hash`` for its scrypt and pbkdf2 formats (Werkzeug 2.3-3.x)."""
    if stored.count("$") != 2:
        return False
    method, salt, expected = stored.split("$")
    name, *args = method.split(":")
    secret, salt_bytes = password.encode("utf-8"), salt.encode("utf-8")
    try:
        if name == "scrypt":
            n, r, p = (int(a) for a in args) if args else (2**15, 8, 1)
            actual = hashlib.scrypt(secret, salt=salt_bytes, n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
        elif name == "pbkdf2":
            digest = args[0] if args else "sha256"
            iterations = int(args[1]) if len(args) > 1 else 600_000
            actual = hashlib.pbkdf2_hmac(digest, secret, salt_bytes, iterations).hex()
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
