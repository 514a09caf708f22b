"""The lock file's dependencies (``py/wheels/build.py``): extras a pin asks for, packages loaded on demand."""

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from wheels import build


def test_a_requirement_under_an_extra_counts_only_when_the_pin_asks_for_that_extra():
    widgets = Requirement('ipywidgets>=6; extra == "notebook"')
    assert not build.applies_on_pyodide(widgets)
    assert build.applies_on_pyodide(widgets, frozenset({"notebook"}))
    assert not build.applies_on_pyodide(widgets, frozenset({"telegram"}))
    windows_only = Requirement('colorama; platform_system == "Windows"')
    assert not build.applies_on_pyodide(windows_only, frozenset({"notebook"}))
    assert build.applies_on_pyodide(Requirement("traitlets>=5"), frozenset())


def test_tqdm_is_served_with_its_notebook_extra_and_loaded_only_when_imported():
    pins = {canonicalize_name(pin.name): pin for pin in build.read_pins(build.HERE / "requirements-pyodide.txt")}
    assert pins["tqdm"].extras == {"notebook"}
    assert "ipywidgets" in pins
    assert {"tqdm", "ipywidgets"} <= build.ON_DEMAND  # the start-up installs neither
