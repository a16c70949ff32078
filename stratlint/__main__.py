from __future__ import annotations

from stratlint.cli import main

if __name__ == "__main__":
    main()
