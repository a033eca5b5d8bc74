"""What the system says when a file cannot be written, in the Chinese a clerk reads.

``OSError.strerror`` is the C library's English ("Permission denied", "No space left on device"); a Chinese
message with it inside reads half in a language the hall does not use. The common cases are said here; a rare
one by its errno name (for whoever reads the log), never by the English sentence. Pure: errno numbers only.
"""

from __future__ import annotations

import errno

_WORDS = {
    errno.ENOENT: "目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘只读，没有写入权限",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EIO: "读写出错",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "已有同名文件",
}


def os_error_words(exc: OSError) -> str:
    """Why writing failed, in Chinese (目录不存在, 没有写入权限, 磁盘已满 …)."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    return f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}" if exc.errno else "系统错误"
