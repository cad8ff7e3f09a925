"""``pad_sequences``: variable-length sequences to one NumPy array of equal-length rows."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads (or truncates) each sequence to ``maxlen`` (default: the longest one) and stacks
    them into an array of shape ``(len(sequences), maxlen) + item_shape``.

    ``padding``/``truncating`` ('pre' or 'post') say at which end values are added/removed;
    ``value`` fills the padding. Strings need ``dtype=object`` (or a string dtype).
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths = []
    item_shape = None
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: "
                             f"{seq}") from None
        if item_shape is None and len(seq):
            # Items may be vectors: their shape becomes the trailing shape of the result.
            item_shape = np.asarray(seq).shape[1:]
    if maxlen is None:
        maxlen = int(np.max(lengths))  # an empty input fails here, as in Keras
    item_shape = item_shape or ()
    is_text = dtype is object or np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and not is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: "
                         f"{type(value)}\nYou should set `dtype=object` for variable length "
                         "strings.")
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for row, seq in enumerate(sequences):
        if not len(seq):
            continue
        if truncating == "pre":
            kept = seq[-maxlen:]
        elif truncating == "post":
            kept = seq[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {row} "
                             f"is different from expected shape {item_shape}")
        if padding == "post":
            out[row, :len(kept)] = kept
        elif padding == "pre":
            out[row, maxlen - len(kept):] = kept
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return out
