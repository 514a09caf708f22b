"""``%pip`` and ``!pip`` in the browser: Pyodide's micropip, awaited.

On desktop, ``%pip install x`` (or ``!pip install x``) runs pip in a
subprocess. The browser has no subprocesses, and Pyodide's installer,
micropip, is asynchronous. So the cell pipeline rewrites each ``%pip``/``!pip``
line into ``await __pip__(...)`` on the same line
(:func:`sync_kernel.codemod.magic_calls.await_pip_lines`), and
:class:`Pip` does what pip would: ``install`` (pure-Python wheels from PyPI,
Pyodide's own packages from its distribution, ``emfs:``/URL wheels),
``uninstall`` and ``list``, printing pip's kind of messages. A failed install
prints ``ERROR: …`` and the cell goes on, as on desktop.

"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

#: Options that change nothing here (there is no cache, user site or wheel build).
_IGNORED = {"-U", "--upgrade", "--user", "--no-cache-dir", "--force-reinstall", "-v", "--verbose"}
_QUIET = {"-q", "--quiet"}
#: Note the last line of IPython's own ``%pip``.
RESTART_NOTE = "Note: you may need to restart the kernel to use updated packages."


class PipError(Exception):
    """What pip would report as ``ERROR: …`` (and then exit, leaving the notebook to go on)."""


class Pip:
    """``await __pip__('install x')``: pip's commands done with micropip."""

    async def __call__(self, arguments: str) -> None:
        try:
            await self.run(arguments)
        except PipError as error:
            print(f"ERROR: {error}", file=sys.stderr)

    async def run(self, arguments: str) -> None:
        """Do one pip command line; :class:`PipError` says why one cannot be done."""
        try:
            words = shlex.split(arguments)
        except ValueError as error:  # unbalanced quotes
            raise PipError(f"could not read the command line: {error}") from None
        command, options = (words[0], words[1:]) if words else ("", [])
        if command == "install":
            await self.install(options)
        elif command == "uninstall":
            names = [word for word in options if word not in ("-y", "--yes")]
            if not names:
                raise PipError("pip uninstall needs at least one package")
            micropip = await _micropip()
            micropip.uninstall(names)
            print(f"Successfully uninstalled {' '.join(names)}")
            print(RESTART_NOTE)
        elif command in ("list", "freeze"):
            micropip = await _micropip()
            packages = sorted(micropip.list().items())
            if command == "freeze":
                print("\n".join(f"{name}=={package.version}" for name, package in packages))
            else:
                width = max([len("Package"), *(len(name) for name, _ in packages)])
                lines = [f"{'Package':<{width}} Version", f"{'-' * width} -------"]
                print("\n".join(lines + [f"{name:<{width}} {package.version}" for name, package in packages]))
        else:
            raise PipError(f"%pip {command} is not available in the browser (install, uninstall, list and freeze are)")

    async def install(self, options: list[str]) -> None:
        """``pip install``: requirements and files given, ``-r FILE``, ``--pre``, ``--no-deps``, ``--index-url``."""
        requirements: list[str] = []
        settings: dict[str, Any] = {"keep_going": True}
        quiet = False
        words = iter(options)
        for word in words:
            if word in ("-r", "--requirement"):
                requirements += _read_requirements(next(words, ""))
            elif word == "--pre":
                settings["pre"] = True
            elif word == "--no-deps":
                settings["deps"] = False
            elif word in ("-i", "--index-url"):
                settings["index_urls"] = [next(words, "")]
            elif word in _QUIET:
                quiet = True
            elif word in _IGNORED:
                pass
            elif word.startswith("-"):
                raise PipError(f"pip install {word} is not available in the browser")
            else:
                requirements.append(word)
        if not requirements:
            raise PipError("pip install needs at least one package or requirements file")
        micropip = await _micropip()
        before = {name: package.version for name, package in micropip.list().items()}
        try:
            await (_quiet_installer(micropip) if quiet else micropip.install)(requirements, **settings)
        except Exception as error:  # anything micropip could not install (not found, no pure wheel, network)
            raise PipError(str(error)) from None
        installed = sorted(
            f"{name}-{package.version}"
            for name, package in micropip.list().items()
            if before.get(name) != package.version
        )
        if quiet:
            pass  # pip -q says nothing when all went well
        elif installed:
            print(f"Successfully installed {' '.join(installed)}")
        else:
            print(f"Requirement already satisfied: {' '.join(requirements)}")
        print(RESTART_NOTE)


def _read_requirements(path: str) -> list[str]:
    """The requirements of a requirements file, comments and blank lines left out."""
    try:
        with open(path) as file:
            lines = [line.split("#")[0].strip() for line in file]
    except OSError as error:
        raise PipError(f"could not open requirements file {path!r}: {error.strerror}") from None
    return [line for line in lines if line]


def _quiet_installer(micropip: Any) -> Any:
    """micropip's ``install``, without Pyodide's "Loading …"/"… already loaded" lines (``pip -q``).

    micropip loads Pyodide's own packages with ``pyodide.loadPackage``, which
    prints those lines unless given a ``messageCallback``; an installer whose
    compatibility layer passes one is the only way to ask (micropip 0.11).
    """
    layer = getattr(micropip, "compatibility_layer", None)
    if layer is None or not hasattr(layer, "loadPackage") or not hasattr(micropip, "PackageManager"):
        return micropip.install  # another micropip: it may talk, but it installs

    load_package = layer.loadPackage

    class QuietLayer(layer):  # type: ignore[misc, valid-type]
        @staticmethod
        async def loadPackage(names: Any) -> Any:
            return await load_package(names, messageCallback=lambda message: None)

    return micropip.PackageManager(QuietLayer).install


async def _micropip() -> Any:
    """Pyodide's micropip, loaded from the kernel's lock file on first use."""
    try:
        import micropip
    except ModuleNotFoundError:
        try:
            import pyodide_js
        except ModuleNotFoundError:
            raise PipError("%pip needs Pyodide's micropip; this Python is not Pyodide") from None
        await pyodide_js.loadPackage("micropip", messageCallback=lambda message: None)  # not "Loading micropip"
        import micropip
    return micropip


@magics_class
class PipMagics(Magics):
    """``%pip`` where the shell could not make it awaited (inside a function or a lambda)."""

    @line_magic
    def pip(self, line: str) -> None:
        raise UsageError("%pip must be at the top level of a cell in the browser, where it can wait for micropip")
