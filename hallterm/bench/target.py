"""Where the bench builds its synthetic hall: a temporary SQLite file, or an empty database given with
``hallterm bench --db URL`` (PostgreSQL too, issue 17 point 6), so every figure can be measured on the
backend a hall runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from hallterm.domain.errors import Refused
from hallterm.domain.redaction import redact_url


class BenchDatabaseRefused(Refused):
    """The database given to the bench is not empty, or cannot be read; ``str()`` says what to do."""


def backend_of(url: str) -> str:
    """``"sqlite"`` or ``"postgresql"``: what the JSON's ``database`` names."""
    return make_url(url).get_backend_name()


def require_empty(url: str) -> None:
    """Refuse a database that holds any table: the bench writes a hundred thousand synthetic holders and
    a million cases, which must never land beside a hall's real data (nor an earlier bench's)."""
    parsed = make_url(url)
    shown = redact_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.exists():
            return  # created by the migrations
        if not path.is_file():
            raise BenchDatabaseRefused(f"{path} 不是文件：请给性能测试一个新的 SQLite 文件路径或一个空数据库")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        raise BenchDatabaseRefused(f"无法读取数据库 {shown}：{type(getattr(exc, 'orig', None) or exc).__name__}；"
                                   "请检查地址、用户和密码，或换一个空数据库") from exc
    finally:
        engine.dispose()
    if tables:
        listed = "、".join(tables[:5]) + ("…" if len(tables) > 5 else "")
        raise BenchDatabaseRefused(
            f"数据库 {shown} 不是空的（已有 {len(tables)} 张表：{listed}）：性能测试要写入大量合成数据，"
            "只在空数据库里运行；请新建一个空数据库（如 createdb hallterm_bench）后再试")


def size_mb(conn: Connection, url: str) -> float:
    """The database's size on disk, in MiB."""
    if conn.dialect.name == "postgresql":
        return round(int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()) / 2**20, 1)
    path = Path(make_url(url).database or "")
    return round(path.stat().st_size / 2**20, 1) if path.is_file() else 0.0


def server_version(conn: Connection) -> str:
    info = conn.dialect.server_version_info or ()
    return ".".join(str(part) for part in info)
