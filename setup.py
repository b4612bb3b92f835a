"""The package list, which pyproject.toml cannot express: every ``explorer*`` package, and the
bundled course, which stays at the top of the repository (``lessons/``, where teachers look for
it) but is installed inside the package as ``explorer.lessons.bundled``, so that
``pip install .`` and ``pipx install .`` carry it. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["explorer", "explorer.*"]) + ["explorer.lessons.bundled"],
    package_dir={"explorer.lessons.bundled": "lessons"},
)
