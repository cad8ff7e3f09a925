"""Change tracking for layer structure: lists and dicts assigned to layers are wrapped so that
any change bumps one global counter, which layers use to invalidate their cached sublayers and
weights."""

_STRUCTURE = [0]  # bumped whenever a layer's attributes, tracked lists or dicts change


def structure_changed():
    """Marks every cached layer structure as stale."""
    _STRUCTURE[0] += 1


def _mutator(name, base):
    method = getattr(base, name)

    def mutate(self, *args, **kwargs):
        structure_changed()
        return method(self, *args, **kwargs)
    mutate.__name__ = name
    return mutate


class TrackedList(list):
    """A list attribute of a layer: changing it invalidates the cached sublayers and weights."""


class TrackedDict(dict):
    """A dict attribute of a layer: changing it invalidates the cached sublayers and weights."""


for _name in ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__"):
    setattr(TrackedList, _name, _mutator(_name, list))
for _name in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update", "setdefault"):
    setattr(TrackedDict, _name, _mutator(_name, dict))
