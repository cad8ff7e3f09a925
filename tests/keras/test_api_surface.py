"""The public surface of ``ndflow.keras`` against ``tf.keras`` (Keras 3 as shipped with TF 2.21).

For every public name of the audited namespaces, ndflow must have it, and callables must take
the same parameters (names, order, defaults; classes compared by ``__init__``). Deliberate gaps
are listed below with their reason; an entry that is no longer a gap fails too, so the lists
stay exact and new drift shows up as a failure.
"""
import importlib
import inspect

import pytest

import ndflow as nd

# Namespaces compared name by name ("" is the top-level ``keras`` namespace).
AUDITED = ["", "layers", "losses", "metrics", "optimizers", "optimizers.schedules", "callbacks",
           "activations", "initializers", "regularizers", "constraints", "models", "utils",
           "backend", "config", "random"]

# Keras submodules ndflow does not provide at all, and why.
ABSENT_MODULES = {
    "ops": "keras.ops (~340 backend-neutral functions): ndflow users call tf.* ops directly",
    "applications": "pretrained model zoo: needs downloaded weights",
    "datasets": "dataset downloaders: need network access",
    "preprocessing": "tf.data-based dataset builders: ndflow has no tf.data",
    "distribution": "multi-device distribution: ndflow runs on one NumPy device",
    "distillation": "Distiller models not implemented yet",
    "dtype_policies": "quantized/mixed dtype policies: ndflow has float policies only",
    "mixed_precision": "mixed precision is not supported",
    "quantizers": "quantization is not supported",
    "export": "ExportArchive writes TF SavedModels: not supported",
    "tree": "keras.tree not exported yet (ndflow.util.nest has the functions)",
    "visualization": "plotting helpers need matplotlib",
    "wrappers": "scikit-learn wrappers not implemented yet",
    "legacy": "Keras 2 legacy saving (HDF5 full-model format) not supported",
}


def _gaps(reason, *names):
    return {name: reason for name in names}


# (namespace, name) -> why ndflow lacks it.
MISSING = {}
for _module, _table in {
    "": {
        **_gaps("float/quantized policy split not modelled", "FloatDTypePolicy", "Quantizer"),
        **_gaps("Keras's backend-neutral Operation/Function graph classes are internals ndflow "
                "replaces with its own tracing", "Function", "Operation", "SymbolicScope",
                "StatelessScope"),
        **_gaps("rematerialisation (recompute in backward) not implemented", "remat",
                "RematScope"),
        **_gaps("scoping/version helpers not implemented yet", "device", "name_scope",
                "version"),
    },
    "layers": {
        **_gaps("image augmentation layers not implemented yet", "AugMix", "AutoContrast",
                "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization",
                "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandAugment", "RandomBrightness",
                "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
                "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
                "RandomGrayscale", "RandomHeight", "RandomHue", "RandomInvert",
                "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
                "RandomSharpness", "RandomShear", "RandomTranslation", "RandomWidth",
                "RandomZoom", "Solarization"),
        **_gaps("bridges to JAX/Flax/PyTorch or TF SavedModels: out of scope", "FlaxLayer",
                "JaxLayer", "TorchModuleWrapper", "TFSMLayer"),
        **_gaps("vocabulary/hashing lookup layers not implemented yet", "HashedCrossing",
                "IntegerLookup", "StringLookup", "TextVectorization"),
        **_gaps("audio front-ends not implemented yet", "MelSpectrogram", "STFTSpectrogram"),
        **_gaps("not implemented yet", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
                "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D",
                "AdaptiveMaxPooling3D", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                "GroupQueryAttention", "ReversibleEmbedding", "SpectralNormalization"),
    },
    "losses": _gaps("CTC and Circle losses not implemented yet", "CTC", "ctc", "Circle",
                    "circle"),
    "optimizers": _gaps("not implemented yet (optimizers/ is the lead's)", "Lamb",
                        "LossScaleOptimizer", "MultiOptimizer", "Muon", "OptimizerMap",
                        "ScheduleFreeAdamW"),
    "callbacks": {
        **_gaps("needs orbax", "OrbaxCheckpoint"),
        **_gaps("needs a summary writer (tf.summary) not implemented yet", "TensorBoard"),
        **_gaps("posts to an HTTP server: not implemented", "RemoteMonitor"),
    },
    "initializers": _gaps("STFT initializer (audio) not implemented yet", "STFT",
                          "STFTInitializer", "stft"),
    "utils": {
        **_gaps("needs PIL", "array_to_img", "img_to_array", "load_img", "save_img"),
        **_gaps("builds tf.data datasets: ndflow has no tf.data", "audio_dataset_from_directory",
                "image_dataset_from_directory", "text_dataset_from_directory",
                "timeseries_dataset_from_array", "split_dataset", "FeatureSpace"),
        **_gaps("downloads files: no network", "get_file"),
        **_gaps("needs pydot/graphviz", "model_to_dot", "plot_model"),
    },
    "backend": {
        **_gaps("ndflow.nn has no 3-D convolution/pooling op yet", "conv3d", "pool3d"),
        **_gaps("CTC not implemented yet", "ctc_batch_cost", "ctc_decode",
                "ctc_label_dense_to_sparse"),
        **_gaps("legacy K.rnn loop not implemented (the RNN layers do not need it)", "rnn"),
        **_gaps("Keras's JAX-style dtype promotion lattice not implemented", "result_type"),
    },
    "config": {
        **_gaps("the global dtype policy is not wired into Layer (layer.py is the lead's)",
                "set_dtype_policy"),
    },
}.items():
    for _name, _reason in _table.items():
        MISSING[(_module, _name)] = _reason

# (namespace, name) -> why the signature deliberately differs from Keras's.
SIGNATURE_GAPS = {
    ("", "Layer"): "layer.py (the lead's) takes trainable/name/dtype positionally and the "
                   "Keras 2 input_shape/input_dim/batch_input_shape keywords; Keras 3 makes "
                   "them keyword-only, with activity_regularizer first",
    ("layers", "Layer"): "same class as keras.Layer",
    ("", "Optimizer"): "Keras's TF optimizer hides its arguments behind *args/**kwargs; "
                       "ndflow spells out the base optimizer's parameters",
    ("optimizers", "Optimizer"): "same class as keras.Optimizer",
}


def _namespace(root, path):
    for part in path.split(".") if path else []:
        root = getattr(root, part)
    return root


def _ours(path):
    if not path:
        return nd.keras
    return importlib.import_module(f"ndflow.keras.{path}")


def _public(module):
    return sorted(n for n in dir(module)
                  if not n.startswith("_") and not inspect.ismodule(getattr(module, n)))


def _default(value):
    if value is inspect.Parameter.empty:
        return "<required>"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)


def _params(obj):
    """[(name, '*'/'**'/'', default)] of a function or a class's __init__, or None."""
    try:
        sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return None
    star = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [(p.name, star.get(p.kind, ""), _default(p.default))
            for p in sig.parameters.values()]


@pytest.mark.parametrize("path", AUDITED)
def test_every_public_name_exists(real_tf, path):
    theirs = _namespace(real_tf.keras, path)
    ours = _ours(path)
    missing = [n for n in _public(theirs) if not hasattr(ours, n)]
    unexpected = [n for n in missing if (path, n) not in MISSING]
    assert not unexpected, f"keras.{path} names missing from ndflow: {unexpected}"
    stale = [n for (m, n) in MISSING if m == path and hasattr(ours, n)]
    assert not stale, f"now present in ndflow.keras.{path}; drop from MISSING: {stale}"
    unknown = [n for (m, n) in MISSING if m == path and not hasattr(theirs, n)]
    assert not unknown, f"not public in keras.{path}; drop from MISSING: {unknown}"


@pytest.mark.parametrize("path", AUDITED)
def test_signatures_match(real_tf, path):
    theirs = _namespace(real_tf.keras, path)
    ours = _ours(path)
    differ = []
    for name in _public(theirs):
        if not hasattr(ours, name) or not callable(getattr(theirs, name)):
            continue
        a, b = _params(getattr(theirs, name)), _params(getattr(ours, name))
        if a is None or b is None or a == b:
            continue
        if (path, name) not in SIGNATURE_GAPS:
            differ.append(f"{name}:\n  keras:  {a}\n  ndflow: {b}")
    assert not differ, f"keras.{path} signatures differ:\n" + "\n".join(differ)
    stale = [n for (m, n) in SIGNATURE_GAPS if m == path
             and _params(getattr(theirs, n)) == _params(getattr(ours, n))]
    assert not stale, f"signatures now match; drop from SIGNATURE_GAPS: {stale}"


def test_submodules_exist(real_tf):
    theirs = [n for n in dir(real_tf.keras)
              if not n.startswith("_") and inspect.ismodule(getattr(real_tf.keras, n))]
    absent = []
    for name in theirs:
        try:
            importlib.import_module(f"ndflow.keras.{name}")
        except ImportError:
            absent.append(name)
    assert sorted(set(absent) - set(ABSENT_MODULES)) == []
    assert sorted(set(ABSENT_MODULES) - set(absent)) == [], "present now: drop from the list"
