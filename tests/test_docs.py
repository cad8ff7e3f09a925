"""README.md and docs/api.md stay true to the code."""
import os
import re
import runpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_api_doc_is_up_to_date():
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from gen_api_doc import render
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        assert f.read() == render(), "docs/api.md is stale: run python tools/gen_api_doc.py"


def test_ci_runs_the_readme_test_command():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    commands = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert len(commands) >= 2
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci = f.read()
    test_command = next(c for c in commands if "pytest" in c)
    for part in test_command.split("&&"):
        assert part.strip() in ci, f"{part.strip()!r} is not in .ci/run"


def test_readme_quick_tour_runs(tmp_path):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        code = re.findall(r"```python\n(.*?)```", f.read(), re.S)[0]
    failing = "tf.constant([1, 2]) + tf.constant([1., 2.])"
    assert failing in code
    code = code.replace(failing, "try:\n    " + failing + "\nexcept tf.errors.InvalidArgumentError:"
                        "\n    pass\nelse:\n    raise AssertionError('no dtype error')\n#")
    tour = tmp_path / "tour.py"      # a real file, so AutoGraph can read the tour's source
    tour.write_text(code, encoding="utf-8")
    namespace = runpy.run_path(str(tour))
    assert namespace["hessian"].shape == [2, 1, 2, 1]
    assert int(namespace["total"](namespace["tf"].constant(10))) == 45
