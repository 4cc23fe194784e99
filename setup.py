"""Wheel builds only: copy the checkout's boot files and npm pins into pyb24_toolkit/_data/.

In a source checkout pyb24_toolkit reads them in place (static/, package.json, lock); an
installed wheel has no checkout around it, so it carries copies (pyb24_toolkit.assets).
Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BOOT_SUFFIXES = (".js", ".mjs")  # the same rule as pyb24_toolkit.assets.BOOT_SUFFIXES


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        data = Path(self.build_lib) / "pyb24_toolkit" / "_data"
        (data / "static").mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(ROOT / name, data / name)
        for file in sorted((ROOT / "static").iterdir()):
            if file.is_file() and file.suffix in BOOT_SUFFIXES:
                shutil.copyfile(file, data / "static" / file.name)


setup(cmdclass={"build_py": BuildPyWithData})
