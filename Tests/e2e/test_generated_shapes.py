"""The generated wire shapes match botocore's model: `generate_shapes.py --check` fails when stale."""

import shutil
import subprocess
import sys

from conftest import REPO


def run_check(root):
    return subprocess.run([sys.executable, str(root / "scripts" / "generate_shapes.py"), "--check"],
                          capture_output=True, text=True, timeout=120)


def test_generated_shapes_are_current():
    result = run_check(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_when_output_is_stale(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "generate_shapes.py", tmp_path / "scripts")
    shutil.copytree(REPO / "scripts" / "shapegen", tmp_path / "scripts" / "shapegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    generated = tmp_path / "Sources" / "ConformancePacks" / "Generated"
    shutil.copytree(REPO / "Sources" / "ConformancePacks" / "Generated", generated)
    assert run_check(tmp_path).returncode == 0
    target = generated / "DescribeConformancePacks.swift"
    target.write_text(target.read_text().replace("max: 20", "max: 21"))
    stale = run_check(tmp_path)
    assert stale.returncode == 1
    assert "DescribeConformancePacks.swift" in stale.stdout
