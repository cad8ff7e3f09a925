"""The examples run and learn (they double as smoke tests)."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "examples", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fit_diabetes_learns(capsys):
    test_mse = _load("fit_diabetes").main(epochs=10)
    assert test_mse < 0.7  # standardised targets: predicting the mean scores 1.0
    assert "train mse" in capsys.readouterr().out


def test_custom_keras_trains_saves_and_reloads(capsys, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "examples"))
    results, same = _load("custom_keras").main(epochs=3, verbose=0)
    assert same
    assert results["loss"] < 0.5 and 0.0 <= results["within_tolerance"] <= 1.0
    assert "custom loop epoch 2" in capsys.readouterr().out
