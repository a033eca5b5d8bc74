"""The tables of the services around a case (issue 13): proxy tasks of a 全程代办 case (S3), results
handed out at the 统一发证窗口 (S9), early consultations (S5), joint reviews (S8), and 好差评 ratings with
the follow-ups a 差评 opens (S10). Import them from ``tables.py``, which loads every table."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from hallterm.storage.schema import UTCDateTime, metadata

# Proxy tasks of a 全程代办 case (S3, issue 13): each with its owner among the 帮办代办 staff, a state and
# a due date in working days; notes are kept in their own table (and each step is an event too).
proxy_tasks = Table(
    "proxy_tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("owner_id", String(32), ForeignKey("staff.staff_id"), nullable=True),  # None: no proxy on duty yet
    Column("added_on", Date, nullable=False),  # the hall's local day; the count of working days starts after it
    Column("due_on", Date, nullable=False),
    Column("due_estimated", Boolean, nullable=False, default=False),  # past the holiday data (估算)
    Column("closed_on", Date, nullable=True),
    Column("cancel_reason", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("state IN ('pending','in_progress','done','cancelled')", name="state"),
    CheckConstraint("kind IN ('market_access','above_city','water','power','gas','heating')", name="kind"),
    Index("ix_proxy_tasks_case_id", "case_id"),
    Index("ix_proxy_tasks_owner_state", "owner_id", "state"),
)

proxy_task_notes = Table(
    "proxy_task_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("task_id", Integer, ForeignKey("proxy_tasks.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("text", String(500), nullable=False),
    Index("ix_proxy_task_notes_task_id", "task_id"),
)

# Results handed out at the 统一发证窗口 (S9; issue 13): who handed out which items of a case to whom.
# The recipient's ID is kept masked only (PIPL minimum necessary; see domain/handout.py for why not a hash).
handouts = Table(
    "handouts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("item_codes", String(400), nullable=False),  # comma-separated, as handed out
    Column("recipient_kind", String(8), nullable=False),  # holder | agent
    Column("recipient_name", String(64), nullable=False),
    Column("recipient_id_masked", String(18), nullable=False),
    Column("power_of_attorney", Boolean, nullable=False),  # 授权委托书 seen (agent)
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=False),
    Column("counter_code", String(16), ForeignKey("counters.code"), nullable=False),
    Column("handed_out_at", UTCDateTime, nullable=False),
    CheckConstraint("recipient_kind IN ('holder','agent')", name="recipient_kind"),
    Index("ix_handouts_case_id", "case_id"),
)

# Early consultation (提前介入, S5; issue 13 point 4): a contact logged before any application. The subject
# is a card holder or a company not yet carded; what it became (an appointment, a case) is linked here, so
# the case remembers where it came from without a column of its own.
consultations = Table(
    "consultations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),  # network | phone | on_site
    Column("holder_id", Integer, ForeignKey("card_holders.id"), nullable=True),
    Column("company_name", String(200), nullable=False, default=""),
    Column("uscc", String(18), nullable=False, default=""),
    Column("section", String(64), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("notes", String(1000), nullable=False, default=""),
    Column("follow_up_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | converted | closed
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("logged_at", UTCDateTime, nullable=False),
    Column("appointment_id", Integer, ForeignKey("appointments.id"), nullable=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("converted_at", UTCDateTime, nullable=True),
    Column("closed_note", String(200), nullable=False, default=""),
    CheckConstraint("channel IN ('network','phone','on_site')", name="channel"),
    CheckConstraint("status IN ('open','converted','closed')", name="status"),
    Index("ix_consultations_holder_id", "holder_id"),
    Index("ix_consultations_status_follow_up_on", "status", "follow_up_on"),
    Index("ix_consultations_case_id", "case_id"),
)

# Joint review (特事特办、一事一议, S8; issue 13 point 5): a meeting of the competent departments about a case.
joint_reviews = Table(
    "joint_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("number", String(32), nullable=False, unique=True),  # 会商〔2026〕第0001号
    Column("day", Date, nullable=False),  # hall-local
    Column("start", String(5), nullable=False),  # HH:MM, hall-local
    Column("place", String(100), nullable=False),
    Column("status", String(16), nullable=False),  # scheduled | concluded
    Column("conclusion", String(16), nullable=False, default=""),
    Column("outcome", String(1000), nullable=False, default=""),
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("concluded_at", UTCDateTime, nullable=True),
    Column("concluded_by", String(32), nullable=True),
    CheckConstraint("status IN ('scheduled','concluded')", name="status"),
    Index("ix_joint_reviews_case_id", "case_id"),
)

# One row per department invited to a joint review, with its opinion once given.
joint_review_departments = Table(
    "joint_review_departments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("joint_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("department", String(100), nullable=False),
    Column("opinion", String(16), nullable=False, default=""),  # "" | agree | conditional | disagree
    Column("opinion_text", String(1000), nullable=False, default=""),
    Column("recorded_at", UTCDateTime, nullable=True),
    Column("recorded_by", String(32), nullable=True),
    UniqueConstraint("review_id", "department", name="uq_joint_review_departments_review_department"),
)

# 好差评 (issue 13; 国办发〔2019〕51号): one rating per hand-out (一次一评, the unique hand-out event id).
# Anonymous by design: no staff id, no holder id — the case number is all that ties it to anyone.
ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hand_out_event_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False, unique=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("counter", String(16), nullable=False),
    Column("level", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("reason", String(16), nullable=False, default=""),  # a code of domain.rating.REASONS, or empty
    Column("rated_at", UTCDateTime, nullable=False),
    CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    Index("ix_ratings_case_id", "case_id"),
    Index("ix_ratings_rated_at", "rated_at"),
)

# The follow-up tasks a 差评 opens (call back within 1 working day, put right within 15), until closed
# with a note. ``owner_id`` is null when the case had no coordinator and no default owner is set.
rating_follow_ups = Table(
    "rating_follow_ups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rating_id", Integer, ForeignKey("ratings.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("task", String(16), nullable=False),  # call_back | put_right
    Column("owner_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("due_on", Date, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("note", String(500), nullable=False, default=""),
    CheckConstraint("task IN ('call_back','put_right')", name="task"),
    UniqueConstraint("rating_id", "task", name="uq_rating_follow_ups_rating_task"),
    Index("ix_rating_follow_ups_owner_closed", "owner_id", "closed_at"),
    Index("ix_rating_follow_ups_closed_at", "closed_at"),
)
