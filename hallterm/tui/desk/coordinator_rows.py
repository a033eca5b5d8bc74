"""How the coordinator's view writes its two tables (S9): the case's status short, the coordinator's column
on the whole hall's view, each item with where it stands shortened to the room the other columns leave, and
the cursor kept on its case across the refresh that rebuilds both tables every few seconds.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from hallterm.domain.cases import CaseStatus
from hallterm.domain.checklist import ITEM_STATUS_NAMES, ItemStatus

if TYPE_CHECKING:
    from textual.widgets.data_table import Column

    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import CoordinatorBoard

ITEMS_MIN_CELLS = 12  # below this the 事项 column stays readable and the table scrolls sideways instead
SCROLLBAR_CELLS = 2  # the table's vertical scrollbar, when its rows overflow
# The case's status, short: the open-cases table must leave room for 期限 at 120 columns.
SHORT_STATUS = {CaseStatus.QUEUED: "待分配", CaseStatus.WAITING: "等候", CaseStatus.MET: "已接待",
                CaseStatus.IN_PROGRESS: "办理中"}


def shorten(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells, ending in … when cut."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells - 1, 0)).rstrip() + "…"


def cursor_at(table: DataTable) -> tuple[str | None, int]:
    """The case under the table's cursor (its row key) and the row it is on."""
    if not table.row_count:
        return None, 0
    row = table.cursor_row
    with suppress(RowDoesNotExist, IndexError):
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value, row
    return None, row


def restore_cursor(table: DataTable, key: str | None, row: int) -> None:
    """Back onto the same case; when it has gone (met, closed, reassigned), onto the nearest row."""
    if not table.row_count:
        return
    if key is not None:
        with suppress(RowDoesNotExist):
            table.move_cursor(row=table.get_row_index(key), animate=False)
            return
    table.move_cursor(row=min(row, table.row_count - 1), animate=False)


def room_for_items(columns: list[Column], rows: list[list[object]], width: int) -> int:
    """The cells left for the 事项 column once the others (sized to their content) have theirs."""
    others = [c for c in columns if str(c.label) != "事项"]
    used = sum(max([cell_len(str(c.label)), *(cell_len(str(row[i])) for row in rows)]) + 2
               for i, c in enumerate(others))
    return max(ITEMS_MIN_CELLS, width - used - 2 - SCROLLBAR_CELLS)


def items_text(board: CoordinatorBoard, case: CaseView, space: int) -> str:
    """Each item with where it stands (审查中, 待领取 …), so the coordinator sees what to move on; long
    names shortened with … to fit ``space`` cells (the state is what the keys act on: it stays whole)."""
    states = board.items.get(case.id) or [(name, "") for name in case.item_names]

    def text(limit: int) -> str:
        return "、".join(shorten(name, limit) + (f"·{ITEM_STATUS_NAMES.get(ItemStatus(status), status)}"
                                                  if status else "") for name, status in states)

    longest = max((cell_len(name) for name, _ in states), default=0)
    for limit in range(longest, 3, -1):
        if cell_len(found := text(limit)) <= space:
            return found
    return shorten(text(4), space)


def who_column(board: CoordinatorBoard, case: CaseView) -> tuple[Text, ...]:
    if not board.whole_hall:
        return ()
    return (Text(case.coordinator.name if case.coordinator else "未分配"),)
