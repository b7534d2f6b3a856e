"""The type stubs match the module, and every public callable is documented."""
import ast
import inspect
from pathlib import Path

import dvc

STUB = Path(__file__).resolve().parents[1] / "dvc" / "__init__.pyi"


def stub_names():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    top, classes = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
        elif isinstance(node, ast.Assign):
            top.update(t.id for t in node.targets)
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return top, classes


def public(cls):
    return {n for n in dir(cls) if not n.startswith("_")} - {
        "args", "with_traceback", "add_note", "characters_written", "errno", "strerror",
        "filename", "filename2"}


def test_everything_exported_is_in_the_stubs():
    top, classes = stub_names()
    assert set(dvc.__all__) <= top, set(dvc.__all__) - top
    for name in ("Store", "Calendar"):
        cls = getattr(dvc, name)
        attrs = {n for n in public(cls) if n not in {"closed", "path", "in_transaction",
                                                     "clock_mode", "day_seconds"}}
        assert attrs <= classes[name], attrs - classes[name]
        assert classes[name] - {"__init__", "__enter__", "__exit__"} <= public(cls) | {
            "closed", "path", "in_transaction", "clock_mode", "day_seconds"}


def test_every_public_callable_has_a_docstring():
    for name in dvc.__all__:
        obj = getattr(dvc, name)
        if callable(obj) and not isinstance(obj, int):
            assert inspect.getdoc(obj), name
    for cls in (dvc.Store, dvc.Calendar):
        for name in public(cls):
            assert inspect.getdoc(getattr(cls, name)), f"{cls.__name__}.{name}"
    assert str(inspect.signature(dvc.Store.search)).startswith("(self, /, text=None")
