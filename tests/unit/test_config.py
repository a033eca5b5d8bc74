"""Settings from a TOML file and HALLTERM_* variables; every bad setting names its key and its file."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hallterm.config import SECTIONS, Settings, load_settings, sqlite_url
from hallterm.config_checks import ConfigError
from hallterm.config_locations import DEFAULT_DB_FILE, PROJECT_ROOT, locate

EXAMPLE = PROJECT_ROOT / "assets" / "hallterm.example.toml"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _write(tmp_path: Path, text: str, name: str = "hallterm.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------- where the files are: a checkout, or an installed program ----------


def test_from_a_checkout_the_halls_files_stay_beside_the_code(tmp_path: Path) -> None:
    (tmp_path / "db" / "migrations").mkdir(parents=True)
    (tmp_path / "pyproject.toml").touch()
    found = locate(tmp_path / "hallterm", tmp_path / "assets", lambda: pytest.fail("no user data folder"))
    assert found.checkout == tmp_path
    assert (found.db_file, found.demo_db_file, found.key_file) == (
        tmp_path / "db" / "hallterm.sqlite3", tmp_path / "db" / "demo.sqlite3", tmp_path / "db" / "signing.key")
    assert (found.assets, found.spool_dir) == (tmp_path / "assets", tmp_path / "spool")


def test_installed_the_halls_files_go_to_the_user_data_folder(tmp_path: Path) -> None:
    site, data = tmp_path / "site-packages", tmp_path / "data"
    shipped = site / "hallterm" / "_assets"
    found = locate(site / "hallterm", shipped, lambda: data)
    assert found.checkout is None
    assert (found.db_file, found.key_file, found.spool_dir) == (
        data / "hallterm.sqlite3", data / "signing.key", data / "spool")
    assert found.assets == shipped  # the shipped reference data until the hall keeps its own
    (data / "assets").mkdir(parents=True)
    assert locate(site / "hallterm", shipped, lambda: data).assets == data / "assets"
    assert locate(site / "hallterm", shipped, lambda: data).shipped_assets == shipped


# ---------- reading good settings ----------


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.db.resolved_url() == sqlite_url(DEFAULT_DB_FILE)
    assert DEFAULT_DB_FILE == PROJECT_ROOT / "db" / "hallterm.sqlite3"
    assert settings.hall.tz.key == "Asia/Shanghai"
    assert settings.source == "默认设置"


def test_settings_are_read_from_a_toml_file(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    path = _write(tmp_path, f"""
[db]
url = "{sqlite_url(db)}"
busy_timeout_ms = 2500
echo = true

[hall]
name = "测试大厅"
timezone = "Asia/Urumqi"
region_code = "210302"

[cards]
pattern = 'AS(?P<tier>[A-E])(?P<serial>\\d{{6}})'
check = "none"
eligible_tiers = "AB"

[paths]
assets = "{tmp_path}"
""")
    settings = load_settings(path, environ={})
    assert settings.db.url == sqlite_url(db)
    assert settings.db.resolved_url() == sqlite_url(db)
    assert settings.db.busy_timeout_ms == 2500
    assert settings.db.echo is True
    assert settings.hall.name == "测试大厅"
    assert settings.hall.tz.key == "Asia/Urumqi"
    assert settings.hall.region_code == "210302"
    assert settings.cards.pattern == r"AS(?P<tier>[A-E])(?P<serial>\d{6})"
    assert settings.cards.check == "none"
    assert settings.cards.eligible_tiers == "AB"
    assert settings.paths.assets_dir == tmp_path
    assert settings.source == str(path)


def test_hallterm_config_variable_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[hall]\nname = "从环境变量读取"\n')
    settings = load_settings(environ={"HALLTERM_CONFIG": str(path)})
    assert settings.hall.name == "从环境变量读取"
    assert settings.source == str(path)


def test_settings_are_read_from_the_environment() -> None:
    settings = load_settings(environ={
        "HALLTERM_DB_URL": "postgresql+psycopg://hallterm@db-host/hallterm",
        "HALLTERM_DB_BUSY_TIMEOUT_MS": " 1200 ",
        "HALLTERM_DB_ECHO": "yes",
        "HALLTERM_HALL_TIMEZONE": "Asia/Harbin",
        "HALLTERM_HALL_REGION_CODE": "210381",
        "HALLTERM_CARDS_ELIGIBLE_TIERS": "ABCDE",
    })
    assert settings.db.resolved_url() == "postgresql+psycopg://hallterm@db-host/hallterm"
    assert settings.db.busy_timeout_ms == 1200
    assert settings.db.echo is True
    assert settings.hall.timezone == "Asia/Harbin"
    assert settings.hall.region_code == "210381"
    assert settings.cards.eligible_tiers == "ABCDE"


@pytest.mark.parametrize(("text", "expected"), [
    ("1", True), ("true", True), ("ON", True), ("0", False), ("false", False), ("no", False), ("off", False),
])
def test_boolean_environment_values(text: str, expected: bool) -> None:
    assert load_settings(environ={"HALLTERM_DB_ECHO": text}).db.echo is expected


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, """
[db]
url = "sqlite:///from-file.sqlite3"
busy_timeout_ms = 100

[hall]
timezone = "Asia/Urumqi"
name = "文件中的名称"
""")
    settings = load_settings(path, environ={
        "HALLTERM_DB_URL": "sqlite:///from-env.sqlite3",
        "HALLTERM_HALL_TIMEZONE": "Asia/Shanghai",
    })
    assert settings.db.url == "sqlite:///from-env.sqlite3"
    assert settings.hall.timezone == "Asia/Shanghai"
    # What the environment does not mention still comes from the file.
    assert settings.db.busy_timeout_ms == 100
    assert settings.hall.name == "文件中的名称"


def test_config_argument_wins_over_hallterm_config(tmp_path: Path) -> None:
    chosen = _write(tmp_path, '[hall]\nname = "命令行指定"\n', "chosen.toml")
    other = _write(tmp_path, '[hall]\nname = "环境变量指定"\n', "other.toml")
    assert load_settings(chosen, environ={"HALLTERM_CONFIG": str(other)}).hall.name == "命令行指定"


def test_unrelated_hallterm_variables_are_ignored() -> None:
    # The storage tests read HALLTERM_TEST_PG_URL; it is no setting and must not be refused.
    settings = load_settings(environ={"HALLTERM_TEST_PG_URL": "postgresql://x/test", "PATH": "/bin"})
    assert settings == Settings()


def test_with_db_url_replaces_only_the_url() -> None:
    base = load_settings(environ={"HALLTERM_DB_BUSY_TIMEOUT_MS": "7"})
    changed = base.with_db_url("sqlite:///other.sqlite3")
    assert changed.db.url == "sqlite:///other.sqlite3"
    assert changed.db.busy_timeout_ms == 7
    assert base.db.url == ""


# ---------- bad settings: ConfigError naming the key and the file ----------


@pytest.mark.parametrize(("text", "key", "fragment"), [
    ("[database]\nurl = 'sqlite:///x'\n", "[database]", "配置节"),
    ("[db]\nuri = 'sqlite:///x'\n", "db.uri", "配置项"),
    ("db = 'sqlite:///x'\n", "db", "配置节"),
    ("[db]\nbusy_timeout_ms = 'soon'\n", "db.busy_timeout_ms", "整数"),
    ("[db]\nbusy_timeout_ms = 2.5\n", "db.busy_timeout_ms", "整数"),
    ("[db]\nbusy_timeout_ms = true\n", "db.busy_timeout_ms", "整数"),
    ("[db]\nbusy_timeout_ms = -1\n", "db.busy_timeout_ms", "负数"),
    ("[db]\necho = 'maybe'\n", "db.echo", "true 或 false"),
    ("[db]\npool_size = 0\n", "db.pool_size", "1–50"),  # issue 17 point 5: a hall of ~50 terminals
    ("[db]\nmax_overflow = -1\n", "db.max_overflow", "0–50"),
    ("[db]\nurl = 5\n", "db.url", "文本"),
    ("[hall]\ntimezone = 'Mars/Olympus'\n", "hall.timezone", "时区"),
    ("[hall]\ntimezone = 'Asia'\n", "hall.timezone", "时区"),
    ("[hall]\ntimezone = '/etc/localtime'\n", "hall.timezone", "时区"),
    ("[hall]\nregion_code = '21030'\n", "hall.region_code", "6 位"),
    ("[hall]\nregion_code = '21030A'\n", "hall.region_code", "6 位"),
    ("[hall]\nregion_code = 210300\n", "hall.region_code", "文本"),
    ("[hall]\nregion_code = '２１０３００'\n", "hall.region_code", "6 位"),  # full-width digits
    ("[db]\nurl = 'mysql://hallterm@db-host/hallterm'\n", "db.url", "postgresql"),
    ("[db]\nurl = 'db/hallterm.sqlite3'\n", "db.url", "sqlite:///"),
    ("[db]\nurl = 'postgresql+nodriver://db-host/hallterm'\n", "db.url", "postgresql"),  # no such driver
    ("[db]\nurl = 'POSTGRESQL://db-host/hallterm'\n", "db.url", "postgresql"),  # SQLAlchemy is case-sensitive
    ("[db]\nurl = 'postgresql+psycopg://hallterm@db-host:pg/hallterm'\n", "db.url", "端口"),
    ("[cards]\npattern = 'GD(?P<tier>[A-E]'\n", "cards.pattern", "正则表达式"),
    ("[cards]\npattern = 'GD\\d{4}[A-E]\\d{5}(?P<check>.)'\n", "cards.pattern", "tier"),
    ("[cards]\npattern = 'GD(?P<tier>[A-E])\\d{5}'\n", "cards.pattern", "check"),
    ("[cards]\ncheck = 'luhn'\n", "cards.check", "mod37_36"),
    ("[cards]\neligible_tiers = 'ABF'\n", "cards.eligible_tiers", "A–E"),
    ("[cards]\neligible_tiers = ''\n", "cards.eligible_tiers", "A–E"),
    ("[paths]\nassets = '/nonexistent/hallterm/assets'\n", "paths.assets", "目录"),
    ("[desk]\ndefault_district = '铁东'\n", "desk.default_district", "县区"),  # short for 铁东区
    ("[auth]\nmax_failures = 0\n", "auth.max_failures", "至少为 1"),
    ("[queue]\ndisplay_hold_ms = -1\n", "queue.display_hold_ms", "不能小于 0"),  # issue 17 point 1
    ("[queue]\ndisplay_poll_ms = 50\n", "queue.display_poll_ms", "不能小于 100"),
    ("[auth]\nlockout_minutes = -5\n", "auth.lockout_minutes", "负数"),
    ("[appointments]\nmissed_sweep_seconds = 1\n", "appointments.missed_sweep_seconds", "10 到 3600"),
    ("[proxy]\nwater_days = 0\n", "proxy.water_days", "1 到 120 个工作日"),  # S3 proxy tasks
    ("[proxy]\nheating_days = 121\n", "proxy.heating_days", "1 到 120 个工作日"),
    ("[hall]\nname = 'unterminated\n", "(TOML 语法)", "语法"),
    ("[db]\nurl = 'sqlite:///a'\nurl = 'sqlite:///b'\n", "(TOML 语法)", "语法"),
])
def test_bad_setting_in_file_names_key_and_file(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    error = info.value
    assert error.key == key
    assert error.source == str(path)
    message = str(error)
    assert key in message
    assert str(path) in message
    assert fragment in message
    assert "\n" not in message  # one line for the terminal
    assert _CJK.search(message)


def test_toml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[hall]\nname = 'ok'\n\n[db]\nbusy_timeout_ms = = 3\n")
    with pytest.raises(ConfigError, match="line 5"):
        load_settings(path, environ={})


def test_missing_file_names_the_option_and_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert info.value.key == "--config"
    assert str(path) in str(info.value)
    assert "不存在" in str(info.value)


def test_missing_file_from_the_environment_names_hallterm_config(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"HALLTERM_CONFIG": str(path)})
    assert info.value.key == "HALLTERM_CONFIG"
    assert str(path) in str(info.value)


def test_directory_instead_of_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="目录"):
        load_settings(tmp_path, environ={})


def test_file_not_in_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('[hall]\nname = "鞍山市政务服务中心"\n'.encode("gb18030"))
    with pytest.raises(ConfigError, match="UTF-8") as info:
        load_settings(path, environ={})
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("name", "value", "key", "fragment"), [
    ("HALLTERM_DB_URL", "mysql://x/y", "db.url", "postgresql"),
    ("HALLTERM_DB_BUSY_TIMEOUT_MS", "five", "db.busy_timeout_ms", "整数"),
    ("HALLTERM_DB_ECHO", "perhaps", "db.echo", "true 或 false"),
    ("HALLTERM_HALL_TIMEZONE", "Beijing", "hall.timezone", "时区"),
    ("HALLTERM_HALL_REGION_CODE", "2103", "hall.region_code", "6 位"),
    ("HALLTERM_CARDS_PATTERN", "GD(", "cards.pattern", "正则表达式"),
    ("HALLTERM_HALL_TIME_ZONE", "Asia/Shanghai", "HALLTERM_HALL_TIME_ZONE", "配置项"),  # a typo
])
def test_bad_environment_variable_names_the_variable(name: str, value: str, key: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={name: value})
    assert info.value.key == key
    assert name in info.value.source  # "环境变量 HALLTERM_…": the place to fix it
    assert name in str(info.value)
    assert fragment in str(info.value)


def test_bad_environment_value_is_blamed_even_when_the_file_is_good(tmp_path: Path) -> None:
    path = _write(tmp_path, "[hall]\ntimezone = 'Asia/Shanghai'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={"HALLTERM_HALL_TIMEZONE": "Nowhere/City"})
    assert "HALLTERM_HALL_TIMEZONE" in info.value.source
    assert str(path) not in str(info.value)


# ---------- the commented example in assets/ ----------


def test_example_file_loads_and_holds_the_defaults() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert dataclasses.replace(settings, source=Settings().source) == Settings()
    assert settings.source == str(EXAMPLE)


def test_example_file_documents_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    for section, cls in SECTIONS.items():
        assert f"[{section}]" in lines, section
        for field in dataclasses.fields(cls):
            # Set, or commented out when its default cannot be written down (db.url, paths.assets).
            found = [n for n, line in enumerate(lines) if re.match(rf"#? ?{field.name} = ", line)]
            assert found, f"{section}.{field.name} is missing"
            # ... and explained: the line above it is a comment.
            assert lines[found[0] - 1].startswith("# "), f"{section}.{field.name} has no comment"


def test_example_file_shows_a_postgresql_url_commented_out() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert '# url = "postgresql+psycopg://hallterm@db-host/hallterm"' in text
    assert not re.search(r"^url\s*=", text, re.MULTILINE)  # the default stays embedded SQLite


def test_example_postgresql_url_is_accepted_when_uncommented(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '# url = "postgresql+psycopg://hallterm@db-host/hallterm"',
        'url = "postgresql+psycopg://hallterm@db-host/hallterm"')
    settings = load_settings(_write(tmp_path, text), environ={})
    assert settings.db.resolved_url() == "postgresql+psycopg://hallterm@db-host/hallterm"


# ---------- through the command line: exit 2, one line, no traceback ----------


def _hallterm(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    environ.update({"PYTHONUTF8": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "hallterm", *args], capture_output=True, text=True,
                          encoding="utf-8", env=environ, cwd=cwd, timeout=120)


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert _CJK.search(lines[0])
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""


def test_cli_bad_setting_in_config_file_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, "[hall]\ntimezone = 'Mars/Olympus'\n")
    result = _hallterm("--config", str(path), "config", cwd=tmp_path)
    _assert_one_clear_line(result, "hall.timezone", str(path))


def test_cli_bad_setting_in_hallterm_config_file_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, "[db]\nurl = 'mysql://hallterm@db-host/hallterm'\n")
    result = _hallterm("cards", "lookup", "GD2022A000178", env={"HALLTERM_CONFIG": str(path)}, cwd=tmp_path)
    _assert_one_clear_line(result, "db.url", str(path))


def test_cli_bad_environment_variable_exits_2(tmp_path: Path) -> None:
    result = _hallterm("config", env={"HALLTERM_HALL_REGION_CODE": "21"}, cwd=tmp_path)
    _assert_one_clear_line(result, "hall.region_code", "HALLTERM_HALL_REGION_CODE")


def test_cli_config_pointing_at_a_directory_exits_2(tmp_path: Path) -> None:
    result = _hallterm("--config", str(tmp_path), "config", cwd=tmp_path)
    _assert_one_clear_line(result, "--config", str(tmp_path))


@pytest.mark.parametrize("url", ["mysql://hallterm@db-host/hallterm", "ftp://db-host/hallterm", "postgresql://db-host:x/hallterm",
                                 "postgresql+nodriver://db-host/hallterm"])
def test_cli_bad_db_option_exits_2(tmp_path: Path, url: str) -> None:
    # --db bypassed the checks of the file and environment and used to end in a traceback.
    result = _hallterm("--db", url, "cards", "lookup", "GD2022A000178", cwd=tmp_path)
    _assert_one_clear_line(result, "db.url", "--db")


def test_cli_config_command_shows_the_settings_from_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[hall]\nname = '测试大厅'\nregion_code = '210302'\n")
    result = _hallterm("--config", str(path), "config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout
    assert "测试大厅" in result.stdout
    assert "210302" in result.stdout


def test_cli_config_command_says_where_each_setting_came_from_and_hides_the_secret(tmp_path: Path) -> None:
    path = _write(tmp_path, "[hall]\nname = '测试大厅'\n")
    secret = "s3cret-s3cret-s3cret-s3cret-s3cret"
    result = _hallterm("--config", str(path), "config", cwd=tmp_path,
                       env={"HALLTERM_QUEUE_RECALL_LIMIT": "2", "HALLTERM_SIGNING_SECRET": secret})
    assert result.returncode == 0, result.stderr
    lines = {line.split(" = ")[0].strip(): line for line in result.stdout.splitlines() if " = " in line}
    assert lines["hall.name"].endswith(str(path))
    recall = lines["queue.recall_limit"]
    assert recall.endswith("环境变量 HALLTERM_QUEUE_RECALL_LIMIT") and "= 2" in recall
    assert lines["auth.max_failures"].endswith("默认值")
    assert secret not in result.stdout and "不显示" in lines["signing.secret"]


def test_cli_database_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    result = _hallterm("--db", sqlite_url(blocker / "x.sqlite3"), "cards", "lookup", "GD2022A000178", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "数据库" in result.stderr and str(blocker) in result.stderr


def test_settings_compare_hash_and_show_as_generated_dataclasses_would() -> None:
    """The settings classes take equality, hash and repr from one base instead of ``@dataclass`` (start-up
    time): each behaves as the dataclass it was, secrets left out of the repr and ``origins`` out of equality."""
    settings = load_settings(environ={"HALLTERM_SIGNING_SECRET": "s" * 40, "HALLTERM_HALL_NAME": "某某大厅"})
    for obj in (settings, *(getattr(settings, name) for name in SECTIONS)):
        cls = type(obj)
        twin = dataclasses.make_dataclass(cls.__name__, [
            (f.name, f.type, dataclasses.field(repr=f.repr, compare=f.compare, hash=f.hash))
            for f in dataclasses.fields(cls)], frozen=True)
        values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(cls)}
        assert repr(obj) == repr(twin(**values))
        assert hash(obj) == hash(twin(**values))
        assert obj == cls(**values)
        assert obj != twin(**values)  # another class, as a generated __eq__ says
    assert "s" * 40 not in repr(settings) and "某某大厅" in repr(settings)
    assert dataclasses.replace(settings, origins={"x": "y"}) == settings
    assert dataclasses.replace(settings, source="别处") != settings
    assert dataclasses.replace(settings.hall, name="别处") != settings.hall
