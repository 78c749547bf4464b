"""One registry mechanism: named plug-ins (collectors, engines, models, demo generators).

A :class:`Registry` maps names to objects. Each kind of plug-in has one registry, filled
in one place: the module that defines the registry lists its members explicitly (no
registration by the side effect of importing a module), so reading that module tells
what exists, and the import graph stays one-way.

Examples
--------
>>> shapes = Registry("shape")
>>> shapes.register("square", lambda side: side * side)
<function <lambda> at ...>
>>> shapes.get("square")(3)
9
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar, overload

from workbench.exceptions import RegistryError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named objects of one kind.

    Parameters
    ----------
    kind : str
        What the registry holds (``"collector"``, ``"engine"``...), used in messages.

    Attributes
    ----------
    kind : str
        As given.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, obj: T) -> T: ...

    def register(self, name: str, obj: T | None = None) -> T | Callable[[T], T]:
        """Register ``obj`` under ``name`` (or, without ``obj``, return a decorator that does).

        Parameters
        ----------
        name : str
            Its name (e.g. the ``collector`` value in catalog metadata).
        obj : object, optional
            The object; omitted when used as a decorator.

        Returns
        -------
        object or callable
            ``obj`` itself, or a decorator that registers and returns its argument.

        Raises
        ------
        RegistryError
            When ``name`` is empty or already taken by another object.
        """
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"a {self.kind} needs a non-empty name, got {name!r}")

        def add(item: T) -> T:
            if name in self._items and self._items[name] is not item:
                raise RegistryError(f"{self.kind} {name!r} is already registered")
            self._items[name] = item
            return item

        return add if obj is None else add(obj)

    def unregister(self, name: str) -> T:
        """Remove ``name`` and return its object (e.g. a plug-in registered for one test).

        Parameters
        ----------
        name : str
            A registered name.

        Returns
        -------
        object
            The object that was registered.

        Raises
        ------
        RegistryError
            For an unknown name.
        """
        item = self.get(name)
        del self._items[name]
        return item

    def get(self, name: str) -> T:
        """Return the object registered under ``name``.

        Parameters
        ----------
        name : str
            A registered name.

        Returns
        -------
        object
            The object.

        Raises
        ------
        RegistryError
            (a ``KeyError`` and a ``ValueError``) naming the unknown name and the known ones.
        """
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise RegistryError(f"unknown {self.kind} {name!r}; known: {self.names()}") from None

    def names(self) -> list[str]:
        """Return the registered names.

        Returns
        -------
        list of str
            Sorted.
        """
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        """Return the registered names and objects in the order they were registered.

        Returns
        -------
        list of tuple
            ``(name, object)`` pairs.
        """
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
