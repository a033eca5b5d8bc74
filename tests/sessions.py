"""Sessions for tests that exercise a use case, not sign-in: every use case that changes something takes
the signed-in session as a required argument (issue 16 point 9). The staff IDs are the reference's own
(assets/staff.toml), so names resolve where the reference is loaded."""

from __future__ import annotations

from hallterm.services.staff import StaffSession

DESK = StaffSession("S1401", "测试前台", "desk", "综合窗口", "")
SUPERVISOR = StaffSession("S1601", "测试督查", "supervisor", "督查考核", "")
