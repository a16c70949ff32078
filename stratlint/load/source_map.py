"""One map from JSON pointers to positions, shared by every stage that reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from stratlint.diagnostics import FILE_START, Span

# (line, column, end_line, end_column), 1-based; a tuple keeps the map compact and picklable.
RawSpan = tuple[int, int, int, int]


def escape_token(token: str) -> str:
    """Escape one reference token as RFC 6901 says."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def join_pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_token(str(token)) for token in tokens)


def parent_pointer(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""


@dataclass(slots=True)
class SourceMap:
    """Positions of every value, and of every mapping key, by JSON pointer."""

    values: dict[str, RawSpan] = field(default_factory=dict)
    keys: dict[str, RawSpan] = field(default_factory=dict)

    def span(self, pointer: str, *, key: bool = False) -> Span:
        """The span of ``pointer``; for a missing pointer, its nearest existing parent.

        With ``key``, prefer the position of the mapping key that names the value, which is
        where an editor should put the cursor for "unknown field" and "missing field".
        """
        probe = pointer
        while True:
            if key and probe in self.keys:
                return Span(*self.keys[probe])
            if probe in self.values:
                if probe != pointer and probe in self.keys:
                    # A missing child is best shown at the key of the mapping that lacks it.
                    return Span(*self.keys[probe])
                return Span(*self.values[probe])
            if not probe:
                return FILE_START
            probe = parent_pointer(probe)
