"""``strings.unicode_script`` against TensorFlow (ICU's UScriptCode numbers) on every code point."""
import time

import numpy as np
import pytest

import ndflow as nd


def test_known_scripts():
    letters = [ord(c) for c in "aЖα中بא1"] + [0x301, 0xAC00, 0x3042, 0x30A2, 0x0E01, 0x0905]
    expected = [25, 8, 14, 17, 2, 19, 0, 1, 18, 20, 22, 38, 10]
    out = nd.strings.unicode_script(letters)
    assert out.dtype == nd.int32
    assert out.numpy().tolist() == expected


def test_invalid_code_points_and_shapes():
    out = nd.strings.unicode_script([[-5, 0x110000], [0x10FFFF, 0xD800]])
    assert out.shape == (2, 2)
    assert out.numpy().tolist() == [[-1, -1], [103, 103]]   # unassigned/surrogates: Unknown
    assert nd.strings.unicode_script(97).numpy() == 25


def test_only_int32_is_accepted():
    with pytest.raises(nd.errors.InvalidArgumentError):
        nd.strings.unicode_script(nd.constant([97], nd.int64))


def test_every_code_point_matches_tensorflow(real_tf):
    codepoints = np.arange(-2, 0x110002, dtype=np.int32)
    start = time.perf_counter()
    mine = nd.strings.unicode_script(codepoints).numpy()
    elapsed = time.perf_counter() - start
    theirs = real_tf.strings.unicode_script(codepoints).numpy()
    different = np.flatnonzero(mine != theirs)
    assert different.size == 0, [(hex(int(codepoints[i])), int(mine[i]), int(theirs[i]))
                                 for i in different[:20]]
    assert elapsed < 5.0


def test_in_a_function_matches_tensorflow(real_tf):
    shapes = []
    for mod in (nd, real_tf):
        fn = mod.function(lambda x: mod.strings.unicode_script(x), autograph=False)
        cf = fn.get_concrete_function(mod.TensorSpec([None, 3], mod.int32))
        shapes.append([cf.structured_outputs.shape.as_list(), cf.structured_outputs.dtype.name,
                       cf(mod.constant([[97, 0x5D0, 48]])).numpy().tolist()])
    assert shapes[0] == shapes[1] == [[None, 3], "int32", [[25, 19, 0]]]
