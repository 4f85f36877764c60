"""Password hashing: argon2id (OWASP's first choice), rehashed on login when parameters age."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 12


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with these parameters from now on (the test suite uses cheap ones); hashes made
    with other parameters still verify, and are rehashed on the next sign-in."""
    global _hasher
    _hasher = hasher


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
