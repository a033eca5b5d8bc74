"""Who may see the responsibility list (S10) and whose by default: a coordinator their section's, unless they
ask for the whole hall; a supervisor the whole hall; front-desk staff not at all, told who may."""

from __future__ import annotations

import pytest

from hallterm.domain.auth import AuthError
from hallterm.services.context import Services
from hallterm.services.responsibility import duty_board
from hallterm.services.staff import StaffSession
from tests.services.handout_flow import signed_in


def test_the_board_by_role(loaded: Services, desk_session: StaffSession) -> None:
    with pytest.raises(AuthError, match="前台账号不能查看责任清单：须由协调员、督查或管理员查看"):
        duty_board(loaded, desk_session)
    coordinator = signed_in(loaded, "S1101")  # 企业登记科
    mine = duty_board(loaded, coordinator)
    assert mine.section == coordinator.section == "企业登记科" and mine.duties == ()
    assert duty_board(loaded, coordinator, None).section is None  # the whole hall, when asked
    board = duty_board(loaded, signed_in(loaded, "S1601"))
    assert board.section is None and "政务服务中心帮办代办部" in board.sections and board.flagged == 0
    assert {"市政公用审批科", "生态环境审批科"} <= set(board.sections)  # the catalog's departments, to pick on F
