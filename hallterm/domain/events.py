"""What the events log records: one kind per state change, each with the Chinese name staff read.

The value of a kind is what the ``events.kind`` column stores; values never change (old rows keep
their meaning). The history is read by hall staff and supervisors, who should never meet an
identifier like ``slip_spooled``: every kind has its name here, and a kind this version does not
know (written by a newer one) is shown as stored rather than refused (``event_label``).
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # cards, cases and routing
    CARD_SCANNED = "card_scanned"
    CARD_OVERRIDE = "card_override"
    CASE_OPENED = "case_opened"
    CASE_ROUTED = "case_routed"
    CASE_QUEUED = "case_queued"
    PROXY_PENDING = "proxy_pending"  # needs a 帮办代办 staff member, none on duty: details say when one comes
    PROXY_ASSIGNED = "proxy_assigned"  # the pending proxy given once one is on duty (F8)
    SERVICE_MODE_CHANGED = "service_mode_changed"
    SERVICE_MODE_DECIDED = "service_mode_decided"  # the checklist settled the mode (S1)
    USCC_OVERRIDE = "uscc_override"
    CASE_REASSIGNED = "case_reassigned"
    VISITOR_MET = "visitor_met"
    VISIT_ENDED = "visit_ended"
    CASE_CLOSED = "case_closed"
    QUEUE_LEFT = "queue_left"  # still waiting for a seat at the day's end: off the queue, to be called back
    # the issuing window and 好差评 (issue 13)
    RATING_GIVEN = "rating_given"  # details: level, reason only; no staff id, nothing of the rater
    RATING_FOLLOW_UP_OPENED = "rating_follow_up_opened"  # details: follow_up, task, owner, due_on
    RATING_FOLLOW_UP_CLOSED = "rating_follow_up_closed"  # details: follow_up, task, note, late
    # proxy tasks of a 全程代办 case (S3): details carry task_id and task_kind
    PROXY_TASK_ADDED = "proxy_task_added"  # details: owner, due_on, estimated, suggested
    PROXY_TASK_MOVED = "proxy_task_moved"  # details: from_state, to_state, reason (required to cancel)
    PROXY_TASK_NOTE = "proxy_task_note"  # details: text
    PROXY_TASK_REASSIGNED = "proxy_task_reassigned"  # details: owner_from, owner_to
    # the checklist and its decisions (S6, S7)
    MATERIAL_RECEIVED = "material_received"
    MATERIAL_UNTICKED = "material_unticked"
    MATERIAL_SUPPLEMENTED = "material_supplemented"
    MATERIAL_CORRECTED = "material_corrected"
    MATERIAL_UPDATED = "material_updated"
    MATERIAL_CONDITION = "material_condition"
    FEES_PAID = "fees_paid"
    FEES_UNPAID = "fees_unpaid"
    ITEM_ACCEPTED = "item_accepted"  # item_<Decision>: one kind per checklist decision
    ITEM_CONDITIONAL = "item_conditional"
    ITEM_NOT_ACCEPTED = "item_not_accepted"
    ITEM_CONDITIONAL_NEEDS_COMMITMENT = "item_conditional_needs_commitment"
    SUPPLEMENT_COMPLETE = "supplement_complete"
    DOCUMENT_ISSUED = "document_issued"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    CONDITIONAL_RETURNED = "conditional_returned"
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    SWEEP = "sweep"
    # after acceptance: review, decision, the issuing window (issue 13; S9)
    ITEM_IN_REVIEW = "item_in_review"
    ITEM_DECIDED = "item_decided"  # details: item, approved (bool), decision_no, reason
    ITEM_READY = "item_ready"  # the result waits at the 统一发证窗口
    ITEMS_HANDED_OUT = "items_handed_out"  # details: counter, items (codes), recipient_kind, handout_id
    # slips and printing
    SLIP_SCANNED = "slip_scanned"
    SLIP_REFUSED = "slip_refused"
    SLIP_PRINTED = "slip_printed"
    SLIP_SPOOLED = "slip_spooled"
    SLIP_PRINT_FAILED = "slip_print_failed"
    # tickets and appointments
    TICKET_ISSUED = "ticket_issued"
    TICKET_CALLED = "ticket_called"
    TICKET_RECALLED = "ticket_recalled"
    TICKET_HELD = "ticket_held"
    TICKET_RETURNED = "ticket_returned"
    TICKET_TRANSFERRED = "ticket_transferred"
    TICKET_FINISHED = "ticket_finished"
    TICKET_NO_SHOW = "ticket_no_show"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled"  # details: moved_from, moved_to, reason
    APPOINTMENT_CANCELLED = "appointment_cancelled"  # details: reason; the seat is free again
    APPOINTMENT_MISSED = "appointment_missed"  # not checked in by its end plus the grace period
    # staff and the system
    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    SIGN_IN_REFUSED = "sign_in_refused"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_UNLOCKED = "account_unlocked"  # a supervisor lifted a lock-out (issue 16 point 8)
    PIN_SET = "pin_set"
    ROSTER_IMPORTED = "roster_imported"
    REFERENCE_LOADED = "reference_loaded"
    DEMO_BUILT = "demo_built"
    # a program started with rule settings other than the last recorded (issue 15 point 6); details: by,
    # host, program, changed ({name: [old, new]}), values (all of them: the next start compares with these)
    RULE_SETTINGS_CHANGED = "rule_settings_changed"
    # the database itself (issue 15): details: by (the OS user), file or source, rows
    DATABASE_BACKED_UP = "database_backed_up"
    DATABASE_RESTORED = "database_restored"
    DATABASE_COPIED = "database_copied"
    # issue 16 point 12: personal data deleted after its keeping period; details: counts only, never data
    PERSONAL_DATA_PURGED = "personal_data_purged"
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged"  # details: upto (the last event id the list covered)
    # early consultation (S5) and joint review (S8), issue 13
    CONSULTATION_LOGGED = "consultation_logged"  # details: consultation_id, channel, section, topic, follow_up_on
    CONSULTATION_CONVERTED = "consultation_converted"  # details: consultation_id, to (appointment|case), its number
    CONSULTATION_CLOSED = "consultation_closed"  # followed up, nothing more to do; details: note
    JOINT_REVIEW_SCHEDULED = "joint_review_scheduled"  # details: review_id, number, day, start, place, departments
    JOINT_REVIEW_OPINION = "joint_review_opinion"  # details: review_id, department, opinion, text
    JOINT_REVIEW_CONCLUDED = "joint_review_concluded"  # details: review_id, conclusion, outcome

    @property
    def label(self) -> str:
        """The Chinese name, e.g. 回执存入打印队列."""
        return LABELS[self]


LABELS: dict[EventKind, str] = {
    EventKind.CARD_SCANNED: "扫码查询",
    EventKind.CARD_OVERRIDE: "特批放行",
    EventKind.CASE_OPENED: "开办件",
    EventKind.CASE_ROUTED: "分配洽谈室和协调员",
    EventKind.CASE_QUEUED: "排队等候分配",
    EventKind.PROXY_PENDING: "帮办代办待到岗分派",
    EventKind.PROXY_ASSIGNED: "分派帮办代办",
    EventKind.SERVICE_MODE_CHANGED: "更改办理方式",
    EventKind.SERVICE_MODE_DECIDED: "材料核验定办理方式",
    EventKind.USCC_OVERRIDE: "信用代码放行",
    EventKind.CASE_REASSIGNED: "改派",
    EventKind.VISITOR_MET: "协调员接待",
    EventKind.VISIT_ENDED: "离开洽谈室",
    EventKind.CASE_CLOSED: "办结",
    EventKind.QUEUE_LEFT: "日终离队待回访",
    EventKind.RATING_GIVEN: "好差评",
    EventKind.RATING_FOLLOW_UP_OPENED: "差评整改立项",
    EventKind.RATING_FOLLOW_UP_CLOSED: "差评整改办结",
    EventKind.PROXY_TASK_ADDED: "新增代办任务",
    EventKind.PROXY_TASK_MOVED: "代办任务变更状态",
    EventKind.PROXY_TASK_NOTE: "代办任务备注",
    EventKind.PROXY_TASK_REASSIGNED: "代办任务改派",
    EventKind.MATERIAL_RECEIVED: "收到材料",
    EventKind.MATERIAL_UNTICKED: "取消收到",
    EventKind.MATERIAL_SUPPLEMENTED: "补交材料",
    EventKind.MATERIAL_CORRECTED: "更正为未收",
    EventKind.MATERIAL_UPDATED: "修改材料记录",
    EventKind.MATERIAL_CONDITION: "条件材料",
    EventKind.FEES_PAID: "已缴费",
    EventKind.FEES_UNPAID: "取消缴费",
    EventKind.ITEM_ACCEPTED: "受理",
    EventKind.ITEM_CONDITIONAL: "容缺受理",
    EventKind.ITEM_NOT_ACCEPTED: "一次性告知",
    EventKind.ITEM_CONDITIONAL_NEEDS_COMMITMENT: "待签容缺承诺书",
    EventKind.SUPPLEMENT_COMPLETE: "补正齐全",
    EventKind.DOCUMENT_ISSUED: "出具文书",
    EventKind.CLOCK_PAUSED: "特殊程序（暂停计时）",
    EventKind.CLOCK_RESUMED: "恢复计时",
    EventKind.CONDITIONAL_RETURNED: "容缺逾期退件",
    EventKind.DEADLINE_RECOMPUTED: "重算期限",
    EventKind.SWEEP: "到期自动检查",
    EventKind.ITEM_IN_REVIEW: "转入审查",
    EventKind.ITEM_DECIDED: "作出审批决定",
    EventKind.ITEM_READY: "送统一发证窗口待领取",
    EventKind.ITEMS_HANDED_OUT: "发证窗口发放",
    EventKind.SLIP_SCANNED: "扫描回执",
    EventKind.SLIP_REFUSED: "回执无效",
    EventKind.SLIP_PRINTED: "打印回执",
    EventKind.SLIP_SPOOLED: "回执存入打印队列",
    EventKind.SLIP_PRINT_FAILED: "打印失败",
    EventKind.TICKET_ISSUED: "取号",
    EventKind.TICKET_CALLED: "叫号",
    EventKind.TICKET_RECALLED: "重呼",
    EventKind.TICKET_HELD: "暂挂",
    EventKind.TICKET_RETURNED: "回到队列",
    EventKind.TICKET_TRANSFERRED: "转窗口",
    EventKind.TICKET_FINISHED: "叫号办毕",
    EventKind.TICKET_NO_SHOW: "过号未到",
    EventKind.APPOINTMENT_BOOKED: "预约",
    EventKind.APPOINTMENT_CHECKED_IN: "预约签到",
    EventKind.APPOINTMENT_RESCHEDULED: "预约改期",
    EventKind.APPOINTMENT_CANCELLED: "取消预约",
    EventKind.APPOINTMENT_MISSED: "预约失约",
    EventKind.HANDOVER_ACKNOWLEDGED: "确认交接单",
    EventKind.CONSULTATION_LOGGED: "记录提前介入咨询",
    EventKind.CONSULTATION_CONVERTED: "咨询转办",
    EventKind.CONSULTATION_CLOSED: "咨询跟进完结",
    EventKind.JOINT_REVIEW_SCHEDULED: "安排会商",
    EventKind.JOINT_REVIEW_OPINION: "记录部门会商意见",
    EventKind.JOINT_REVIEW_CONCLUDED: "会商结论",
    EventKind.SIGNED_IN: "登录",
    EventKind.SIGNED_OUT: "签退",
    EventKind.SIGN_IN_REFUSED: "登录被拒",
    EventKind.ACCOUNT_LOCKED: "账号锁定",
    EventKind.ACCOUNT_UNLOCKED: "解除锁定",
    EventKind.PIN_SET: "设置密码",
    EventKind.ROSTER_IMPORTED: "导入持卡人名册",
    EventKind.REFERENCE_LOADED: "载入基础数据",
    EventKind.DEMO_BUILT: "生成演示数据",
    EventKind.RULE_SETTINGS_CHANGED: "规则设置变更",
    EventKind.DATABASE_BACKED_UP: "备份数据库",
    EventKind.DATABASE_RESTORED: "从备份恢复数据库",
    EventKind.DATABASE_COPIED: "复制数据库到新服务器",
    EventKind.PERSONAL_DATA_PURGED: "删除过期个人信息",
}


def event_label(kind: str) -> str:
    """The Chinese name of a stored kind; one this version does not know is shown as stored."""
    try:
        return EventKind(kind).label
    except ValueError:
        return kind
