"""Why a URL was not fetched or read."""

from __future__ import annotations


class FetchError(Exception):
    """A URL that was not fetched, and why (one line for the user). `transient`: worth trying again later
    (a timeout, a 5xx, no network); otherwise the answer will not change (404, refused, wrong type)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
