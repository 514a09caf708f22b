"""Build the wheels the kernel installs into Pyodide, and a lock file that names them.

Runs on the host (``npm run build:wheels``) with the project's ``.venv``:

1. ``pip download --no-deps`` the pinned pure-Python wheels of
   ``requirements-pyodide.txt`` (IPython and its dependencies) for Python 3.14;
2. check that the set is closed: every ``Requires-Dist`` whose marker holds on
   Pyodide (``sys_platform == "emscripten"``, Python 3.14) is satisfied by a
   pinned wheel, so nothing is missing at run time and nothing is fetched twice;
3. build ``sync_kernel-<version>-py3-none-any.whl`` from ``py/sync_kernel``, and the
   distributions that give desktop notebooks' helpers their meaning in this kernel
   (:data:`COMPAT_DISTRIBUTIONS`: ``jupyter-ui-poll`` from ``py/jupyter_ui_poll``,
   ``nest-asyncio`` from ``py/nest_asyncio``), loaded when a cell imports them;
4. write ``sync-kernel-lock.json`` in Pyodide's lock file format, so the
   runtime's ``loadPackage("sync-kernel")`` resolves every dependency.

``--test`` does the same for ``requirements-pyodide-test.txt`` (pytest, to run
the codemod's suite inside Pyodide) into a separate directory.

Example::

    .venv/bin/python py/wheels/build.py --out build/wheels
    .venv/bin/python py/wheels/build.py --test --out build/wheels-test  # after the line above
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE_DIR = REPO / "py" / "sync_kernel"


@dataclass(frozen=True)
class CompatDistribution:
    """A distribution desktop notebooks use, made for this kernel from a package in ``py/``."""

    name: str
    #: The version whose API the package provides, as a local version: ``%pip install NAME``
    #: finds it installed and leaves it.
    version: str
    summary: str
    package: Path


COMPAT_DISTRIBUTIONS = (
    CompatDistribution(
        "jupyter-ui-poll",
        "1.0.0+sync.kernel",
        "jupyter-ui-poll's API for the sync kernel: widget events while a cell runs",
        REPO / "py" / "jupyter_ui_poll",
    ),
    CompatDistribution(
        "nest-asyncio",
        "1.6.0+sync.kernel",
        "nest_asyncio's API for the sync kernel, where asyncio.run already works in a cell",
        REPO / "py" / "nest_asyncio",
    ),
)
PYODIDE_LOCK = REPO / "node_modules" / "pyodide" / "pyodide-lock.json"

#: The marker environment of Pyodide 314 (Python 3.14 on Emscripten).
PYODIDE_ENV = {
    "implementation_name": "cpython",
    "implementation_version": "3.14.2",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Emscripten",
    "platform_version": "",
    "python_full_version": "3.14.2",
    "python_version": "3.14",
    "sys_platform": "emscripten",
    "extra": "",
}

#: The package the runtime asks for; it depends on everything else except :data:`ON_DEMAND`.
KERNEL_PACKAGE = "sync-kernel"

#: Pinned and in the lock file, but not installed at start-up: jedi alone costs more
#: to unpack (its typeshed stubs) than everything else together, and IPython's own
#: completer works without it. ``import jedi`` in a cell loads it from the lock file;
#: micropip is loaded by the first ``%pip``.
ON_DEMAND = frozenset(
    {"jedi", "parso", "micropip", "ipywidgets", "jupyter-ui-poll", "tqdm"}
    | {"requests", "certifi", "charset-normalizer", "idna", "urllib3"}
)

#: Requirements that only matter to a front end (they carry JupyterLab and notebook
#: extensions): ipywidgets names them, and runs without them.
FRONT_END_ONLY = frozenset({"widgetsnbextension", "jupyterlab-widgets"})


@dataclass(frozen=True)
class Wheel:
    """One wheel file and what the lock file needs to know about it."""

    path: Path
    name: str
    version: str
    requires: tuple[Requirement, ...]
    imports: tuple[str, ...]

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


def read_pins(requirements: Path) -> list[Requirement]:
    """The ``name==version`` lines of a requirements file (comments skipped)."""
    pins = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            if len(req.specifier) != 1 or next(iter(req.specifier)).operator != "==":
                raise SystemExit(f"{requirements}: {line!r} must be pinned with ==")
            pins.append(req)
    return pins


def download(pins: list[Requirement], out: Path) -> None:
    """Fetch the pinned wheels for Python 3.14 (no dependency resolution: the pins are the set)."""
    missing = [str(pin) for pin in pins if not find_wheel(out, pin)]
    if not missing:
        return
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            "any",
            "--python-version",
            "3.14",
            "--implementation",
            "py",
            "-d",
            str(out),
            *missing,
        ],
        check=True,
    )


def find_wheel(directory: Path, pin: Requirement) -> Path | None:
    """The downloaded wheel for ``pin`` in ``directory``, if present."""
    version = Version(next(iter(pin.specifier)).version)
    for path in directory.glob("*.whl"):
        name, found, _, _ = parse_wheel_filename(path.name)
        if name == canonicalize_name(pin.name) and found == version:
            return path
    return None


def inspect_wheel(path: Path) -> Wheel:
    """Read a wheel's name, version, requirements and top-level import names."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
        top_level = sorted(
            {
                n.split("/", 1)[0].removesuffix(".py")
                for n in names
                if (n.endswith(".py") or "/" in n) and not n.split("/", 1)[0].endswith((".dist-info", ".data"))
            }
        )
    requires = tuple(Requirement(r) for r in metadata.get_all("Requires-Dist") or [])
    return Wheel(path, metadata["Name"], metadata["Version"], requires, tuple(top_level))


def applies_on_pyodide(req: Requirement, extras: Set[str] = frozenset()) -> bool:
    """Whether a requirement holds on Pyodide (with the pin's ``extras`` requested) and is needed there."""
    if canonicalize_name(req.name) in FRONT_END_ONLY:
        return False
    if req.marker is None:
        return True
    marker = Marker(str(req.marker))
    return any(marker.evaluate({**PYODIDE_ENV, "extra": extra}) for extra in ("", *sorted(extras)))


def check_closed(wheels: list[Wheel], provided: dict[str, Wheel], extras: Mapping[str, Set[str]]) -> None:
    """Fail when a wheel needs something on Pyodide that no pinned wheel provides."""
    problems = []
    for wheel in wheels:
        for req in wheel.requires:
            if not applies_on_pyodide(req, extras.get(wheel.key, frozenset())):
                continue
            dep = provided.get(canonicalize_name(req.name))
            if dep is None:
                problems.append(f"{wheel.name} needs {req} but it is not pinned")
            elif not req.specifier.contains(dep.version, prereleases=True):
                problems.append(f"{wheel.name} needs {req} but {dep.version} is pinned")
    if problems:
        raise SystemExit("the pinned wheel set is not closed:\n  " + "\n  ".join(problems))


def depends(wheel: Wheel, provided: dict[str, Wheel], extras: Set[str] = frozenset()) -> list[str]:
    """Lock-file dependency keys of ``wheel`` on Pyodide (with ``extras`` requested)."""
    keys = {canonicalize_name(r.name) for r in wheel.requires if applies_on_pyodide(r, extras)}
    return sorted(key for key in keys if key in provided)


def build_kernel_wheel(out: Path, version: str, requires: list[str]) -> Path:
    """Build ``sync_kernel`` as a pure-Python wheel (no build backend needed)."""
    summary = "Run synchronous notebook code on Pyodide's event loop"
    return build_pure_wheel(out, "sync-kernel", version, summary, PACKAGE_DIR, requires)


def build_pure_wheel(out: Path, name: str, version: str, summary: str, package: Path, requires: list[str]) -> Path:
    """A pure-Python wheel of the package directory ``package``, reproducible byte for byte."""
    stem = f"{name.replace('-', '_')}-{version}"
    dist_info = f"{stem}.dist-info"
    path = out / f"{stem}-py3-none-any.whl"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {name}",
            f"Version: {version}",
            f"Summary: {summary}",
            *(f"Requires-Dist: {r}" for r in requires),
            "",
        ]
    )
    wheel_file = "Wheel-Version: 1.0\nGenerator: sync-kernel build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files: dict[str, bytes] = {}
    for source in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
        files[f"{package.name}/{source.relative_to(package).as_posix()}"] = source.read_bytes()
    files[f"{dist_info}/METADATA"] = metadata.encode()
    files[f"{dist_info}/WHEEL"] = wheel_file.encode()
    record = []
    for member, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    for stale in out.glob(f"{name.replace('-', '_')}-*.whl"):
        stale.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def lock_entry(wheel: Wheel, deps: list[str]) -> dict[str, object]:
    """One package of a Pyodide lock file; ``file_name`` is relative to the lock file."""
    return {
        "name": wheel.key,
        "version": wheel.version,
        "file_name": wheel.path.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.path.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": list(wheel.imports),
        "depends": deps,
        "unvendored_tests": False,
        "shared_library": False,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--test", action="store_true", help="build the test-only set (pytest)")
    parser.add_argument(
        "--kernel-lock",
        type=Path,
        default=REPO / "build" / "wheels" / "sync-kernel-lock.json",
        help="with --test: the kernel's lock file, whose packages count as provided",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    info = json.loads(PYODIDE_LOCK.read_text())["info"]

    requirements = HERE / ("requirements-pyodide-test.txt" if args.test else "requirements-pyodide.txt")
    pins = read_pins(requirements)
    download(pins, out)
    wheels = [inspect_wheel(find_wheel(out, pin) or out) for pin in pins]
    provided = {w.key: w for w in wheels}
    #: Extras a pin asks for (`tqdm[notebook]`): their requirements are dependencies too.
    extras: dict[str, Set[str]] = {canonicalize_name(pin.name): frozenset(pin.extras) for pin in pins}
    if args.test:
        # Dependencies already in the kernel's set (pygments) count as provided.
        kernel_lock = json.loads((args.kernel_lock).read_text())["packages"]
        base = {key: Wheel(Path(e["file_name"]), e["name"], e["version"], (), ()) for key, e in kernel_lock.items()}
        check_closed(wheels, {**base, **provided}, extras)
        lock = {w.key: lock_entry(w, depends(w, {**base, **provided}, extras[w.key])) for w in wheels}
        name = "test-lock.json"
    else:
        check_closed(wheels, provided, extras)
        version = json.loads((REPO / "package.json").read_text())["version"]
        kernel = inspect_wheel(build_kernel_wheel(out, version, [str(p) for p in pins[:1]]))
        compat = [
            inspect_wheel(build_pure_wheel(out, d.name, d.version, d.summary, d.package, []))
            for d in COMPAT_DISTRIBUTIONS
        ]
        # ON_DEMAND packages stay out of the dependency lists of what start-up installs (IPython
        # requires jedi, but runs without it); one loaded on demand may pull in others (tqdm: ipywidgets).
        lock = {
            w.key: lock_entry(
                w, [d for d in depends(w, provided, extras[w.key]) if w.key in ON_DEMAND or d not in ON_DEMAND]
            )
            for w in wheels
        }
        lock[KERNEL_PACKAGE] = lock_entry(kernel, sorted(set(provided) - ON_DEMAND))
        lock.update({wheel.key: lock_entry(wheel, [KERNEL_PACKAGE]) for wheel in compat})
        name = "sync-kernel-lock.json"
    keep = {Path(str(entry["file_name"])).name for entry in lock.values()}
    for stale in out.glob("*.whl"):
        if stale.name not in keep:
            stale.unlink()
    (out / name).write_text(json.dumps({"info": info, "packages": lock}, indent=1, sort_keys=True) + "\n")
    print(f"{out / name}: {len(lock)} packages")


if __name__ == "__main__":
    main()
