"""Errors a user can act on. Messages are Simplified Chinese and name the file and the problem."""
from __future__ import annotations


class KbError(Exception):
    """Base class: ``str(error)`` is a complete message for the user."""


class ImportFailed(KbError):
    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}：{problem}")


class CatalogError(KbError):
    pass


class NotFound(KbError):
    pass
