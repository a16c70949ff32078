"""Regenerate the README's picture of the HTML report: ``python -m stratlint_dev.screenshot``.

Writes the report of the bundled strategy to a temporary file, and has headless Chromium
(Debian's ``chromium``; ``apt-get install chromium``) take a picture of its top into
docs/report.png. Nobody compares the pixels; the file is only refreshed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET = PROJECT / "docs" / "report.png"


def main() -> int:
    browser = next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)
    if browser is None:
        print("stratlint_dev.screenshot: no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="stratlint-shot-") as folder:
        page = Path(folder) / "report.html"
        subprocess.run(
            [sys.executable, "-m", "stratlint", "report", "--html", str(page), str(PROJECT / "strategy")],
            cwd=PROJECT,
            check=True,
        )
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={folder}/p",
             "--window-size=1280,1500", f"--screenshot={TARGET}", page.as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip
    print(f"wrote {TARGET.relative_to(PROJECT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
