"""Whether a path stays inside a folder, links followed: the one check behind every refusal
to read or write outside the repository (a configured root or baseline, an extra schema and
its references, a report's --output)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Outside:
    """How a path leaves a folder."""

    resolved: Path
    """Where it leads, every link followed."""
    through_link: bool
    """As written, it is inside the folder: a link on the way leads out."""


def inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or within it, compared as written (no link followed)."""
    return path == folder or folder in path.parents


def leads_outside(path: Path, folder: Path) -> Outside | None:
    """None when ``path``, every link followed, stays inside ``folder`` (as written or
    resolved: the folder's own path may hold a link); otherwise how it leaves."""
    folders = {Path(os.path.abspath(folder)), Path(os.path.realpath(folder))}
    resolved = Path(os.path.realpath(path))
    if any(inside(resolved, candidate) for candidate in folders):
        return None
    lexical = Path(os.path.abspath(path))
    return Outside(resolved, through_link=any(inside(lexical, candidate) for candidate in folders))


def file_url_path(url_path: str) -> Path:
    """The local path of a ``file:`` URL's path part, as ``urllib.request.url2pathname`` gives
    it, without importing urllib.request (and with it http, ssl and email) on every run."""
    if os.name == "nt":  # pragma: no cover - Windows
        from nturl2path import url2pathname

        return Path(url2pathname(url_path))
    return Path(unquote(url_path))
