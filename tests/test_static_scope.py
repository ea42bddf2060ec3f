"""Which files the static gates analyse: source, exclude, and what is never entered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_healthgate.collect.static.scope import discover, resolve_entry


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def found(
    root: Path, *entries: str, exclude: tuple[str, ...] = (), tests: bool = False
) -> set[str]:
    return set(discover(root, entries, exclude, tests).files)


def test_python_files_below_a_source_folder_are_found_by_project_relative_path(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "src/pkg/__init__.py", "src/pkg/sub/mod.py", "src/pkg/data.txt")
    assert found(tmp_path, "src/pkg") == {"src/pkg/__init__.py", "src/pkg/sub/mod.py"}


def test_tests_virtualenvs_build_output_and_git_are_never_entered(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "pkg/core.py",
        "pkg/tests/test_core.py",
        "pkg/test_inline.py",
        "pkg/conftest.py",
        "pkg/core_test.py",
        "pkg/.git/hooks/x.py",
        "pkg/.venv/lib/site.py",
        "pkg/env/lib/x.py",
        "pkg/build/lib/pkg/core.py",
        "pkg/dist/x.py",
        "pkg/__pycache__/core.py",
        "pkg/thing.egg-info/x.py",
    )
    (tmp_path / "pkg/env/pyvenv.cfg").write_text("home = /usr\n")
    assert found(tmp_path, "pkg") == {"pkg/core.py"}


def test_a_library_folder_named_test_without_test_modules_is_analysed(tmp_path: Path) -> None:
    touch(tmp_path, "web/test/client.py", "web/testing/tests_util.py", "lib/test/test_x.py")
    assert found(tmp_path, "web", "lib") == {"web/test/client.py", "web/testing/tests_util.py"}


def test_include_tests_brings_test_files_and_folders_back(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/core.py", "pkg/tests/test_core.py", "pkg/conftest.py")
    assert found(tmp_path, "pkg", tests=True) == {
        "pkg/core.py",
        "pkg/tests/test_core.py",
        "pkg/conftest.py",
    }


def test_exclude_globs_apply_to_folders_and_files(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/core.py", "pkg/_vendored/six.py", "pkg/gen_pb2.py")
    exclude = ("pkg/_vendored/**", "**/*_pb2.py")
    assert found(tmp_path, "pkg", exclude=exclude) == {"pkg/core.py"}


def test_a_file_named_explicitly_is_analysed_even_if_it_looks_like_a_test(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "tests/test_core.py")
    assert found(tmp_path, "tests/test_core.py") == {"tests/test_core.py"}


def test_a_named_file_that_is_not_python_is_skipped_with_a_reason(tmp_path: Path) -> None:
    touch(tmp_path, "README.md")
    scope = discover(tmp_path, ("README.md",), (), False)
    assert scope.files == {}
    assert scope.skipped == [("README.md", "not a Python file")]


def test_a_dotted_package_name_is_found_under_src_or_the_root(tmp_path: Path) -> None:
    touch(tmp_path, "src/pkg/sub/__init__.py", "other/__init__.py")
    assert resolve_entry(tmp_path, "pkg.sub") == tmp_path / "src/pkg/sub"
    assert resolve_entry(tmp_path, "other") == tmp_path / "other"
    assert resolve_entry(tmp_path, "nowhere") is None


def test_a_missing_source_entry_is_reported_not_ignored(tmp_path: Path) -> None:
    scope = discover(tmp_path, ("src/gone",), (), False)
    assert scope.missing == ["src/gone"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_loop_is_walked_once_and_reported(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/core.py")
    (tmp_path / "pkg/loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    scope = discover(tmp_path, ("pkg",), (), False)
    assert set(scope.files) == {"pkg/core.py"}
    assert scope.skipped == [("pkg/loop", "symlink loop; not followed")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_broken_symlink_to_a_python_file_is_reported(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/core.py")
    (tmp_path / "pkg/gone.py").symlink_to(tmp_path / "nowhere.py")
    scope = discover(tmp_path, ("pkg",), (), False)
    assert set(scope.files) == {"pkg/core.py"}
    assert scope.skipped == [("pkg/gone.py", "broken symlink")]


def test_a_walkers_keys_are_relative_to_the_root_and_anything_else_is_kept_whole(
    tmp_path: Path,
) -> None:
    from pytest_healthgate.collect.static.scope import _Walker

    walker = _Walker(tmp_path, (), include_tests=False)
    assert walker.key(tmp_path / "pkg" / "a.py") == "pkg/a.py"
    assert walker.key(tmp_path) == "."
    outside = tmp_path.parent / "elsewhere" / "b.py"
    assert walker.key(outside) == outside.as_posix()
