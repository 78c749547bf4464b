"""The one registry mechanism (workbench.registry) and the registries built on it."""

import pytest

from workbench.analyse.forecast import MODELS, ForecastModel
from workbench.collect.registry import COLLECTORS
from workbench.engine import ENGINES
from workbench.exceptions import RegistryError
from workbench.registry import Registry
from workbench.synthetic import GENERATORS


def test_register_get_and_decorator():
    shapes = Registry("shape")
    shapes.register("square", len)

    @shapes.register("circle")
    def circle(r):
        return 3 * r * r

    assert shapes.get("square") is len and shapes["circle"] is circle
    assert shapes.names() == ["circle", "square"] and list(shapes) == ["circle", "square"]
    assert [name for name, _ in shapes.items()] == ["square", "circle"]
    assert "square" in shapes and len(shapes) == 2


def test_a_taken_name_an_empty_name_and_an_unknown_name_are_refused_by_name():
    shapes = Registry("shape")
    shapes.register("square", len)
    shapes.register("square", len)  # the same object again is harmless
    with pytest.raises(RegistryError, match="shape 'square' is already registered"):
        shapes.register("square", abs)
    with pytest.raises(RegistryError, match="non-empty name"):
        shapes.register(" ", abs)
    with pytest.raises(RegistryError, match=r"unknown shape 'hexagon'; known: \['square'\]"):
        shapes.get("hexagon")
    with pytest.raises(KeyError):
        shapes["hexagon"]


def test_unregister_removes_and_returns_the_object():
    shapes = Registry("shape")
    shapes.register("square", len)
    assert shapes.unregister("square") is len
    assert "square" not in shapes and len(shapes) == 0
    with pytest.raises(RegistryError, match="unknown shape 'square'"):
        shapes.unregister("square")


def test_every_plug_in_kind_uses_the_one_registry():
    for registry in (MODELS, COLLECTORS, ENGINES, GENERATORS):
        assert isinstance(registry, Registry)
    assert MODELS.names() == sorted(["naive", "seasonal_naive", "ets", "arima", "auto_arima", "croston", "tsb",
                                     "prophet"])
    assert all(issubclass(MODELS[name], ForecastModel) and MODELS[name].name == name for name in MODELS)
