"""``python -m pyb24_toolkit`` = the ``pyb24`` command."""

from .cli import main

raise SystemExit(main())
