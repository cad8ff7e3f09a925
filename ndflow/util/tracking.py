"""Finding tracked objects (layers, variables, metrics) among an object's attribute values."""


def collect(values, kinds, exclude=None):
    """One list per class in ``kinds`` of the instances found in ``values`` (looking inside
    lists, tuples and dict values), in order of appearance, each object once."""
    found = [[] for _ in kinds]
    seen = set() if exclude is None else {id(exclude)}

    def visit(value):
        if id(value) in seen:
            return
        for bucket, kind in zip(found, kinds):
            if isinstance(value, kind):
                seen.add(id(value))
                bucket.append(value)
                return
        if isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for value in values:
        visit(value)
    return found
