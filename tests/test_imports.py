"""The package's import graph (every import, those inside functions too) has no cycle."""

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "import_graph.py"


def _tool():
    spec = importlib.util.spec_from_file_location("import_graph", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_graph_has_no_cycle():
    tool = _tool()
    graph = tool.import_graph()
    assert {"srkit.infer", "srkit.evaluate", "srkit.zoo", "srkit.burst"} <= set(graph)
    assert tool.find_cycle(graph) is None, " -> ".join(tool.find_cycle(graph))


def test_inference_sits_below_evaluation_and_the_zoo():
    graph = _tool().import_graph()
    assert "srkit.infer" in graph["srkit.evaluate"] and "srkit.zoo" in graph["srkit.upscalers"]
    assert "srkit.infer" in graph["srkit.zoo"] and "srkit.infer" in graph["srkit.burst"]
    assert not {"srkit.evaluate", "srkit.zoo", "srkit.burst"} & set(graph["srkit.infer"])


def test_the_graph_sees_relative_and_function_level_imports(tmp_path):
    tool = _tool()
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .sub.c import g\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("import pkg.a\nfrom .. import b\n")
    graph = tool.import_graph(pkg)
    assert graph == {"pkg": [], "pkg.a": ["pkg.b"], "pkg.b": ["pkg.sub.c"], "pkg.sub": [], "pkg.sub.c": ["pkg.a", "pkg.b"]}
    assert tool.find_cycle(graph) in (["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"],)
