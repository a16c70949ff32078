"""JSON pointers (RFC 6901), as every stage writes and reads them: the loader's source map,
the rules' findings, the editing engine's splices."""

from __future__ import annotations


def escape_token(token: str) -> str:
    """Escape one reference token as RFC 6901 says."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def join_pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_token(str(token)) for token in tokens)


def split_pointer(pointer: str) -> list[str]:
    """A pointer's reference tokens, unescaped: '/items/0/a~1b' gives ['items', '0', 'a/b']."""
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def parent_pointer(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""
