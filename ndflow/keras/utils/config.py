"""``Config``: a dict-like container whose entries are also attributes, and can be frozen."""
import json


class Config:
    """Named values read as ``config.name`` or ``config["name"]``; ``freeze()`` makes it
    read-only (mutations then raise ValueError)."""

    def __init__(self, **kwargs):
        # Stored in one dict set through object.__setattr__, so that attribute writes below
        # are the user's entries, not the container's own state.
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self):
        """Whether the config is read-only."""
        return self._frozen

    def freeze(self):
        """Makes the config read-only."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        """Makes the config writable again."""
        object.__setattr__(self, "_frozen", False)

    def _raise_if_frozen(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self):
        """A shallow copy of the entries as a plain dict."""
        return dict(self._config)

    def to_json(self):
        """The entries as a JSON string."""
        return json.dumps(self._config)

    def keys(self):
        """The entry names."""
        return self._config.keys()

    def values(self):
        """The entry values."""
        return self._config.values()

    def items(self):
        """The (name, value) pairs."""
        return self._config.items()

    def get(self, key, default=None):
        """The value of ``key``, or ``default``."""
        return self._config.get(key, default)

    def pop(self, *args):
        """Removes an entry and returns its value (``pop(key[, default])``)."""
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        """Adds or replaces entries, as ``dict.update``."""
        self._raise_if_frozen()
        self._config.update(*args, **kwargs)

    def __getattr__(self, name):
        config = object.__getattribute__(self, "_config")
        if name in config:
            return config[name]
        raise AttributeError(f"Unknown attribute: '{name}'.")

    def __setattr__(self, name, value):
        self._raise_if_frozen()
        self._config[name] = value

    def __getitem__(self, key):
        return self._config[key]

    def __setitem__(self, key, value):
        self._raise_if_frozen()
        self._config[key] = value

    def __delitem__(self, key):
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, key):
        return key in self._config

    def __len__(self):
        return len(self._config)

    def __iter__(self):
        return iter(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"
