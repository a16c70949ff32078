"""One map from JSON pointers to positions, shared by every stage that reports."""

from __future__ import annotations

from stratlint.diagnostics import FILE_START, Span
from stratlint.pointers import parent_pointer

# (line, column, end_line, end_column), 1-based; a tuple keeps the map compact and picklable.
RawSpan = tuple[int, int, int, int]


class SourceMap:
    """Positions of every value, and of every mapping key, by JSON pointer.

    A map may be *deferred*: it holds the file's bytes and is built from them, by the same
    parser, the first time a position is asked for. Most files never need a position (only
    findings do), so loading skips the work, and the memory, for all of them.
    """

    __slots__ = ("_keys", "_pending", "_values")

    def __init__(self, values: dict[str, RawSpan] | None = None, keys: dict[str, RawSpan] | None = None) -> None:
        self._values: dict[str, RawSpan] = {} if values is None else values
        self._keys: dict[str, RawSpan] = {} if keys is None else keys
        self._pending: bytes | str | None = None

    @classmethod
    def deferred(cls, data: bytes, text: str = "") -> SourceMap:
        """The source map of the YAML document ``data``, built when first used. Give
        ``text`` when it is ``data`` decoded (as UTF-8): the map keeps it instead of the
        bytes, which the artifact keeps anyway."""
        source_map = cls()
        source_map._pending = text if text and len(text) <= len(data) and text.encode("utf-8") == data else data
        return source_map

    @property
    def is_deferred(self) -> bool:
        """True until a deferred map is first used."""
        return self._pending is not None

    @property
    def values(self) -> dict[str, RawSpan]:
        if self._pending is not None:
            self._build()
        return self._values

    @property
    def keys(self) -> dict[str, RawSpan]:
        if self._pending is not None:
            self._build()
        return self._keys

    def _build(self) -> None:
        from stratlint.load.yaml import parse_yaml  # the parser imports this module

        data, self._pending = self._pending, None
        assert data is not None
        raw = data.encode("utf-8") if isinstance(data, str) else data
        built = parse_yaml(raw).source_map
        self._values, self._keys = built.values, built.keys

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceMap):
            return NotImplemented
        return self.values == other.values and self.keys == other.keys

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self._pending is not None:
            return f"SourceMap(deferred, {len(self._pending)} characters or bytes)"
        return f"SourceMap({len(self._values)} values, {len(self._keys)} keys)"

    def __getstate__(self) -> tuple[dict[str, RawSpan], dict[str, RawSpan], bytes | str | None]:
        return (self._values, self._keys, self._pending)

    def __setstate__(self, state: tuple[dict[str, RawSpan], dict[str, RawSpan], bytes | str | None]) -> None:
        self._values, self._keys, self._pending = state

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
