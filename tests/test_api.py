"""The public API: listed once in srkit.API, documented, and importable without loading TensorFlow where it
promises to be."""

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import srkit

PACKAGE = Path(srkit.__file__).resolve().parent


@pytest.mark.parametrize("module", sorted(srkit.API))
def test_each_module_exports_exactly_what_the_api_lists(module):
    mod = importlib.import_module(f"srkit.{module}")
    assert tuple(mod.__all__) == srkit.API[module]
    for name in srkit.API[module]:
        obj = getattr(mod, name)  # every listed name exists
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"srkit.{module}.{name} has no docstring"


def test_every_module_says_what_it_is_for():
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc.split()) >= 5, f"{path.relative_to(PACKAGE.parent)} has no module docstring"


def test_every_module_is_in_the_api():
    top = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    top |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert top == set(srkit.API), top ^ set(srkit.API)


@pytest.mark.parametrize("module", ["srkit", "srkit.models", "srkit.configs", "srkit.data", "srkit.cli"])
def test_light_modules_do_not_load_tensorflow(module):
    code = f"import sys, {module}; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, f"{module} loads TensorFlow"
