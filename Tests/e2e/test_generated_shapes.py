"""The generated wire layer matches botocore's model: `generate_shapes.py --check` fails when any
generated file, in any of its output directories, is stale, missing or extra."""

import shutil
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from shapegen.model import enum_case_name  # noqa: E402


def run(root, *args):
    return subprocess.run([sys.executable, str(root / "scripts" / "generate_shapes.py"), *args],
                          capture_output=True, text=True, timeout=120)


def output_directories():
    listed = run(REPO, "--list-outputs")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def copy_generator(tmp_path):
    """The generator and every directory it writes, in a tree of their own."""
    shutil.copytree(REPO / "scripts", tmp_path / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    for directory in output_directories():
        shutil.copytree(REPO / directory, tmp_path / directory)
    assert run(tmp_path, "--check").returncode == 0


def test_generated_files_are_current():
    result = run(REPO, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_outputs_cover_shapes_server_and_tests():
    assert set(output_directories()) == {
        "Sources/ConformancePacks/Generated", "Sources/ConformanceServer/Generated",
        "Tests/ConformanceServerTests/Generated",
    }


@pytest.mark.parametrize("change", ["edit", "delete", "extra"])
def test_check_fails_on_any_stale_output(tmp_path, change):
    copy_generator(tmp_path)
    for directory in output_directories():
        files = sorted((tmp_path / directory).glob("*.swift"))
        assert files, directory
        target = files[0]
        if change == "edit":
            target.write_text(target.read_text() + "// edited\n")
        elif change == "delete":
            target.unlink()
        else:
            target = tmp_path / directory / "Extra.swift"
            target.write_text("// not generated\n")
        stale = run(tmp_path, "--check")
        assert stale.returncode == 1, directory
        assert target.name in stale.stdout
        assert run(tmp_path).returncode == 0  # regenerating repairs it
        assert run(tmp_path, "--check").returncode == 0


def test_check_sees_a_changed_constraint(tmp_path):
    copy_generator(tmp_path)
    target = tmp_path / "Sources" / "ConformancePacks" / "Generated" / "DescribeConformancePacks.swift"
    target.write_text(target.read_text().replace("max: 20", "max: 21"))
    stale = run(tmp_path, "--check")
    assert stale.returncode == 1
    assert "DescribeConformancePacks.swift" in stale.stdout


@pytest.mark.parametrize("raw, swift", [
    ("NON_COMPLIANT", "nonCompliant"), ("One_Hour", "oneHour"), ("TwentyFour_Hours", "twentyFourHours"),
    ("aws.config", "awsConfig"), ("AWS", "aws"), ("ConfigurationItemChangeNotification", "configurationItemChangeNotification"),
    ("AWSRegion", "awsRegion"), ("DELETING_RESULTS", "deletingResults"), ("default", "`default`"),
    ("unknown", "unknownValue"), ("INIT", "initValue"), ("1_DAY", "_1Day"),
])
def test_enum_case_names(raw, swift):
    assert enum_case_name(raw) == swift
