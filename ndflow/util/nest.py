"""Nested structures of lists, tuples, dicts and namedtuples (``ndflow.nest``)."""
import collections.abc


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


# Types seen to be leaves: checking a type against the Mapping ABC is slow, and tensors and
# variables are checked many times per training step. (A type registered as a Mapping after it
# was seen here would stay a leaf.)
_LEAF_TYPES = set()


def is_nested(structure):
    """True for lists, tuples, dicts (and other mappings); False for leaves."""
    kind = type(structure)
    if kind is list or kind is tuple or kind is dict:
        return True
    if kind in _LEAF_TYPES:
        return False
    nested = isinstance(structure, (list, tuple, collections.abc.Mapping))
    if not nested:
        _LEAF_TYPES.add(kind)
    return nested


def _children(structure):
    kind = type(structure)
    if kind is list or kind is tuple:
        return structure
    if isinstance(structure, collections.abc.Mapping):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def flatten(structure, expand_composites=False):
    """The leaves of ``structure`` in order (dicts by sorted key); a leaf gives ``[leaf]``."""
    if not is_nested(structure):
        return [structure]
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(structure, out):
    for child in _children(structure):
        if is_nested(child):
            _flatten_into(child, out)
        else:
            out.append(child)


def _rebuild(template, children):
    if isinstance(template, collections.abc.Mapping):
        keys = sorted(template)
        return type(template)((k, v) for k, v in zip(keys, children)) if not isinstance(
            template, collections.defaultdict) else _rebuild_defaultdict(template, keys, children)
    if _is_namedtuple(template):
        return type(template)(*children)
    if isinstance(template, tuple):
        return tuple(children)
    return list(children)


def _rebuild_defaultdict(template, keys, children):
    result = collections.defaultdict(template.default_factory)
    result.update(zip(keys, children))
    return result


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Builds ``structure``'s shape again from a flat list of leaves."""
    flat_sequence = list(flat_sequence)
    kind = type(structure)
    if (kind is list or kind is tuple) and len(structure) == len(flat_sequence) \
            and not any(map(is_nested, structure)):  # a flat list or tuple: the common case
        return flat_sequence if kind is list else tuple(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == "
                             f"{len(flat_sequence)} > 1")
        return flat_sequence[0]
    position = [0]

    def build(template):
        children = []
        for child in _children(template):
            if is_nested(child):
                children.append(build(child))
            else:
                if position[0] >= len(flat_sequence):
                    raise ValueError("The flat sequence has fewer elements than the structure.")
                children.append(flat_sequence[position[0]])
                position[0] += 1
        return _rebuild(template, children)

    result = build(structure)
    if position[0] != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {position[0]} elements, but "
                         f"flat_sequence had {len(flat_sequence)} elements.")
    return result


def map_structure(func, *structures, **kwargs):
    """Applies ``func`` to matching leaves of same-shaped structures."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError (or TypeError for differing sequence types) unless the shapes match."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2) and not (
            isinstance(nest1, collections.abc.Mapping) and isinstance(nest2, collections.abc.Mapping)):
        raise TypeError(f"The two structures don't have the same sequence type. First "
                        f"structure has type {type(nest1)}, while second structure has type "
                        f"{type(nest2)}.")
    c1, c2 = _children(nest1), _children(nest2)
    if len(c1) != len(c2):
        raise ValueError(f"The two structures don't have the same number of elements.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    if isinstance(nest1, collections.abc.Mapping) and sorted(nest1) != sorted(nest2):
        raise ValueError(f"The two dictionaries don't have the same set of keys: "
                         f"{sorted(nest1)} vs {sorted(nest2)}")
    for a, b in zip(c1, c2):
        assert_same_structure(a, b, check_types)
