"""Which new passwords are accepted: at least ``MIN_LENGTH`` characters and not guessable.

"Guessable" is zxcvbn's estimate (the Dropbox password-strength estimator, shipped as a Python
package with its own frequency lists of common passwords, names and words, so it runs offline):
a score below ``MIN_SCORE`` (of 0-4) is refused. The account's own details (user name, name,
工号) count as guessable words. ``aaaaaaaa``, ``password1``, ``Qwerty123!`` and ``woaini1314`` are
refused; ``correct-horse-1`` is accepted.
"""
from __future__ import annotations

MIN_LENGTH = 8
MIN_SCORE = 3
MAX_CHECKED = 72  # zxcvbn's limit; a longer password is judged by its first 72 characters


def password_problem(password: str, user_inputs: list[str | None] = ()) -> str | None:
    """Why ``password`` is refused, in Chinese; None when it is accepted."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    from zxcvbn import zxcvbn  # imported on first use: its word lists take 50 ms to load

    inputs = [value for value in user_inputs if value]
    if zxcvbn(password[:MAX_CHECKED], user_inputs=inputs)["score"] < MIN_SCORE:
        return "密码太容易被猜到（常见密码、重复或连续的字符、键盘上相邻的键、含用户名或工号），请换一个更长、更不规则的密码"
    return None
