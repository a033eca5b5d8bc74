"""The joint-review department catalog (assets/departments.toml) is reference data: a bad file is refused
whole, naming the file and the reason, when the reference data is read (issue 13 point 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.reference import ReferenceDataError
from hallterm.services.reference import read_reference


@pytest.mark.parametrize(("text", "reason"), [
    ('departments = ["市发展和改革委员会", "市发展和改革委员会"]\n', "重复"),
    ("departments = []\n", "非空"),
    ('departments = ["市自然资源局"\n', "格式错误"),
])
def test_a_bad_department_catalog_is_refused_with_its_file_and_reason(tmp_path: Path, text: str, reason: str) -> None:
    assets = tmp_path / "assets"
    shutil.copytree(DEFAULT_ASSETS, assets)
    (assets / "departments.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        read_reference(assets)
    assert info.value.file == str(assets / "departments.toml") and reason in info.value.reason


def test_the_shipped_catalog_is_read_with_the_rest() -> None:
    assert len(read_reference(DEFAULT_ASSETS).departments) >= 3
