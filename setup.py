"""The build step pyproject.toml cannot declare (all metadata lives there).

A wheel must hold everything the app reads at run time, inside the package:

- ``templates/`` and ``migrations/`` stay at the top of the checkout (the product's
  shape); the wheel carries them as ``incubator/templates`` and
  ``incubator/migrations``, where ``create_app`` looks first.
- The translations are compiled (``.po`` to ``.mo``): ``.mo`` files are build output
  and not committed, so a wheel built from a clean checkout would otherwise serve
  the English source strings. Compiling at build time (not on the app's first
  start) keeps the installed package read-only and the same for every worker.

An editable install (``pip install -e .``, ``make install``) reads all of these from
the checkout instead, where ``make`` compiles the catalogues.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE = "incubator"
# Top-level folders of the checkout that the wheel carries inside the package.
INTO_PACKAGE = ("templates", "migrations")
SKIP = shutil.ignore_patterns("__pycache__", "*.py[co]")


class BuildPyWithResources(build_py):
    def run(self):
        if not self.editable_mode:
            # setuptools never empties build/: a module moved or deleted since the
            # last build would otherwise still ship.
            shutil.rmtree(Path(self.build_lib) / PACKAGE, ignore_errors=True)
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / PACKAGE
        for name in INTO_PACKAGE:
            shutil.copytree(ROOT / name, target / name, ignore=SKIP)
        compile_catalogues(target / "translations")


def compile_catalogues(directory: Path) -> None:
    """What ``pybabel compile --use-fuzzy -d DIRECTORY`` does (as ``make``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalogues = sorted(directory.glob("*/LC_MESSAGES/*.po"))
    if not catalogues:
        raise SystemExit(f"no translation catalogues under {directory}")
    for po in catalogues:
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=True)


setup(cmdclass={"build_py": BuildPyWithResources})
