"""The one translation of a failure into the line a clerk reads.

Refusals (``hallterm.domain.errors.Refused``) carry their own Chinese message. A database that is
locked or cannot be reached, on SQLite and PostgreSQL alike, gets one Chinese line naming the
database (never its password, never the statement or its parameters). Anything else is a fault: the
clerk reads a generic line that keeps what they typed, and the traceback goes to the log.
"""

from __future__ import annotations

import errno
import logging

from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError

from hallterm import logfile
from hallterm.domain.errors import Refused
from hallterm.storage.engine import DISK_FULL, DatabaseUnavailable, describe_operational_error, safe_url

log = logging.getLogger(__name__)

KEEP = "已输入的内容保留，请重试或联系管理员"
_OS_ERRORS = {  # what the system says, in words a clerk reads (strerror is English)
    errno.ENOSPC: "磁盘已满", errno.EDQUOT: "磁盘配额已用完", errno.EACCES: "没有权限",
    errno.EPERM: "没有权限", errno.EROFS: "磁盘只读", errno.ENOENT: "文件或文件夹不存在",
    errno.ECONNREFUSED: "设备拒绝连接", errno.EHOSTUNREACH: "设备无法访问", errno.ETIMEDOUT: "设备没有响应",
    errno.EIO: "读写出错",
}
NO_PG_DRIVER = "未安装 PostgreSQL 驱动：请运行 pip install 'psycopg[binary]'"


def is_expected(exc: BaseException) -> bool:
    """A refusal or the environment (the database, its driver), not a fault in hallterm."""
    return isinstance(exc, Refused | OperationalError) or _missing_pg_driver(exc) or _not_a_database(exc)


def is_outage(exc: BaseException) -> bool:
    """The database cannot be reached or is locked for now: worth probing and sending again (issue 15 point 4)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    return isinstance(exc, OperationalError) and describe_operational_error(exc, "") != DISK_FULL


def explain(exc: BaseException, url: str = "", *, fault: str = "操作失败", advice: str = KEEP) -> str:
    """The Chinese line for ``exc``; ``url`` names the database when the error itself does not.

    A fault reads "<fault>（what happened）。<advice>": the connect screen says 无法打开数据库 and
    gives its own advice (press F5).
    """
    tail = f"。{advice}" if advice else ""
    if isinstance(exc, Refused):
        if detail := getattr(exc, "detail", ""):  # a printer's own words: for the technician, in the log
            log.warning("%s (%s)", exc, detail)
        return str(exc)
    if isinstance(exc, OperationalError):
        return describe_operational_error(exc, url)
    if _missing_pg_driver(exc):
        return NO_PG_DRIVER
    if _not_a_database(exc):
        return (f"{safe_url(url) if url else '数据库文件'} 不是 SQLite 数据库"
                "（可能指向了别的文件，如名册 CSV，或文件已损坏）：请检查 --db 或 HALLTERM_DB_URL")
    log.error("unexpected failure", exc_info=exc)
    if isinstance(exc, IntegrityError):  # its text holds the statement and the values typed
        return f"{fault}（数据库拒绝保存：与已有记录冲突）{tail}"
    if isinstance(exc, SQLAlchemyError):
        return f"{fault}（数据库出错）{tail}"
    if isinstance(exc, OSError):
        what = _OS_ERRORS.get(exc.errno or 0, f"系统错误 {exc.errno}" if exc.errno else "系统错误")
        where = f"：{exc.filename}" if exc.filename else ""
        return f"{fault}（{what}{where}）{tail}"
    # The log names the fault (class, message, traceback); the clerk reads no English class name.
    where = f" {path}" if (path := logfile.current_path()) else ""
    return f"{fault}（程序内部错误，详情已记入日志{where}）{tail}"


def _not_a_database(exc: BaseException) -> bool:
    """SQLite's answer for a file that is something else (``--db roster.csv``): the setting, not a fault."""
    return isinstance(exc, DatabaseError) and "file is not a database" in str(exc.orig or "").lower()


def _missing_pg_driver(exc: BaseException) -> bool:
    return isinstance(exc, ModuleNotFoundError) and bool(exc.name) and "psycopg" in (exc.name or "")
