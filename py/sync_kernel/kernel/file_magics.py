"""IPython's file aliases without a shell: ``%ls``, ``%ll``, ``%cat``, ``%mkdir``, ``%cp`` ...

On desktop these magics are aliases of shell commands (``%ls`` runs
``ls -F --color``). A browser has no shell, so here each one does in Python what
the command does to the files the kernel sees (the notebook's folder is the
JupyterLite drive): the same output, one name per line as ``ls`` prints into a
pipe, with ``/`` after folders (``-F``), and the command's own error message on
stderr for a path that is not there, without raising (as on desktop).

* ``%ls [-a] [-l] [PATH ...]``, ``%ll`` (``ls -l``), ``%lf`` (files), ``%ldir`` (folders), ``%lk``, ``%lx``
* ``%cat FILE ...``
* ``%mkdir [-p] DIR ...``, ``%rmdir DIR ...``, ``%rm [-r] [-f] PATH ...``
* ``%cp [-r] SOURCE ... TARGET``, ``%mv SOURCE ... TARGET``
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable

from IPython.core.magic import Magics, line_magic, magics_class


def _split(line: str) -> tuple[set[str], list[str]]:
    """Single-letter flags (``-la`` is ``-l -a``) and the other words, with ``~`` and ``$VAR`` expanded."""
    flags: set[str] = set()
    words: list[str] = []
    for word in shlex.split(line):
        if word.startswith("-") and len(word) > 1 and not words:
            flags.update(word[1:])
        else:
            words.append(os.path.expandvars(os.path.expanduser(word)))
    return flags, words


def _fail(command: str, message: str) -> None:
    print(f"{command}: {message}", file=sys.stderr)


def _why(error: OSError) -> str:
    return error.strerror or str(error)


def _classified(path: str, name: str) -> str:
    """``name`` with ``ls -F``'s mark: ``/`` folder, ``@`` link, ``*`` executable."""
    if os.path.islink(path):
        return name + "@"
    if os.path.isdir(path):
        return name + "/"
    if os.access(path, os.X_OK):
        return name + "*"
    return name


def _long(path: str, name: str) -> str:
    info = os.lstat(path)
    stamp = time.strftime("%b %d %H:%M", time.localtime(info.st_mtime))
    return f"{stat.filemode(info.st_mode)} {info.st_nlink} {info.st_size:>8} {stamp} {name}"


def _listing(command: str, line: str, keep: Callable[[str], bool] = lambda path: True, long: bool = False) -> None:
    flags, paths = _split(line)
    long = long or "l" in flags
    show = (lambda path, name: _long(path, _classified(path, name))) if long else _classified
    files = [p for p in paths if os.path.lexists(p) and not os.path.isdir(p)]
    folders = [p for p in paths if os.path.isdir(p)]
    for missing in (p for p in paths if not os.path.lexists(p)):
        _fail(command, f"cannot access '{missing}': No such file or directory")
    lines = [show(p, p) for p in sorted(files, key=str.casefold) if keep(p)]
    for folder in folders if paths else ["."]:
        try:
            names = os.listdir(folder)
        except OSError as error:
            _fail(command, f"cannot open directory '{folder}': {_why(error)}")
            continue
        if "a" in flags:
            names += [".", ".."]
        entries = sorted((n for n in names if "a" in flags or not n.startswith(".")), key=str.casefold)
        if len(paths) > 1:  # ls names each folder when it was given more than one path
            lines.append(f"\n{folder}:" if lines else f"{folder}:")
        lines += [show(os.path.join(folder, n), n) for n in entries if keep(os.path.join(folder, n))]
    if lines:
        print("\n".join(lines))


def _each(command: str, paths: Iterable[str], act: Callable[[str], object], failed: str) -> None:
    """``act`` on each path; a failure is the command's message (``failed``, formatted) on stderr."""
    for path in paths:
        try:
            act(path)
        except OSError as error:
            _fail(command, failed.format(path=path, why=_why(error)))


def _has_target(command: str, paths: list[str]) -> bool:
    """Whether ``paths`` names sources and a target (``cp``/``mv``); says so on stderr if not."""
    if len(paths) < 2:
        _fail(command, "missing destination file operand")
        return False
    return True


@magics_class
class FileMagics(Magics):
    """The file aliases of desktop IPython, done in Python (see the module docstring)."""

    @line_magic
    def ls(self, line: str) -> None:
        """List a folder: one name per line, folders marked with ``/`` (``-a`` all, ``-l`` long)."""
        _listing("ls", line)

    @line_magic
    def ll(self, line: str) -> None:
        """``ls -l``: mode, links, size, time and name."""
        _listing("ls", line, long=True)

    @line_magic
    def lf(self, line: str) -> None:
        """``ls -l``, files only."""
        _listing("ls", line, keep=os.path.isfile, long=True)

    @line_magic
    def ldir(self, line: str) -> None:
        """``ls -l``, folders only."""
        _listing("ls", line, keep=os.path.isdir, long=True)

    @line_magic
    def lk(self, line: str) -> None:
        """``ls -l``, symbolic links only."""
        _listing("ls", line, keep=os.path.islink, long=True)

    @line_magic
    def lx(self, line: str) -> None:
        """``ls -l``, executable files only."""
        _listing("ls", line, keep=lambda p: os.path.isfile(p) and os.access(p, os.X_OK), long=True)

    @line_magic
    def cat(self, line: str) -> None:
        """Print files one after another."""
        _, paths = _split(line)

        def show(path: str) -> None:
            with open(path, encoding="utf-8", errors="replace") as file:
                sys.stdout.write(file.read())

        _each("cat", paths, show, "{path}: {why}")

    @line_magic
    def mkdir(self, line: str) -> None:
        """Make folders (``-p``: with their parents, and no error if they exist)."""
        flags, paths = _split(line)
        make: Callable[[str], object] = (lambda p: os.makedirs(p, exist_ok=True)) if "p" in flags else os.mkdir
        _each("mkdir", paths, make, "cannot create directory '{path}': {why}")

    @line_magic
    def rmdir(self, line: str) -> None:
        """Remove empty folders."""
        _each("rmdir", _split(line)[1], os.rmdir, "failed to remove '{path}': {why}")

    @line_magic
    def rm(self, line: str) -> None:
        """Remove files (``-r``: folders too; ``-f``: no error for a path that is not there)."""
        flags, paths = _split(line)

        def remove(path: str) -> None:
            if "f" in flags and not os.path.lexists(path):
                return
            if os.path.isdir(path) and not os.path.islink(path):
                if "r" not in flags and "R" not in flags:
                    raise IsADirectoryError(21, "Is a directory")
                shutil.rmtree(path)
            else:
                os.remove(path)

        _each("rm", paths, remove, "cannot remove '{path}': {why}")

    @line_magic
    def cp(self, line: str) -> None:
        """Copy files (``-r``: folders too) to a file or into a folder."""
        flags, paths = _split(line)
        if not _has_target("cp", paths):
            return
        *sources, target = paths

        def copy(source: str) -> None:
            into = os.path.join(target, os.path.basename(source)) if os.path.isdir(target) else target
            if os.path.isdir(source):
                if "r" not in flags and "R" not in flags:
                    _fail("cp", f"-r not specified; omitting directory '{source}'")
                    return
                shutil.copytree(source, into, dirs_exist_ok=True)
            else:
                shutil.copy2(source, into)

        _each("cp", sources, copy, "cannot stat '{path}': {why}")

    @line_magic
    def mv(self, line: str) -> None:
        """Move or rename files and folders."""
        _, paths = _split(line)
        if not _has_target("mv", paths):
            return
        *sources, target = paths
        _each("mv", sources, lambda source: shutil.move(source, target), "cannot stat '{path}': {why}")
