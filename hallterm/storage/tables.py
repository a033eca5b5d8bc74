"""The schema, as SQLAlchemy Core tables. Alembic migrations in ``db/migrations`` create it.

Times are stored in UTC (``UTCDateTime``); dates that are the hall's local business day are
plain ``Date`` columns. Every table is imported from here: the hall, its people and items, cases,
tickets, appointments, events and slips are declared below; the services around a case (issue 13)
in ``tables_case_services.py``, loaded here so that ``metadata`` always holds the whole schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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
    false,
    text,
)

from hallterm.storage.schema import UTCDateTime, metadata

# Re-exported ("X as X"): every table is imported from this module, and so metadata holds them all.
from hallterm.storage.tables_case_services import consultations as consultations
from hallterm.storage.tables_case_services import handouts as handouts
from hallterm.storage.tables_case_services import joint_review_departments as joint_review_departments
from hallterm.storage.tables_case_services import joint_reviews as joint_reviews
from hallterm.storage.tables_case_services import proxy_task_notes as proxy_task_notes
from hallterm.storage.tables_case_services import proxy_tasks as proxy_tasks
from hallterm.storage.tables_case_services import rating_follow_ups as rating_follow_ups
from hallterm.storage.tables_case_services import ratings as ratings

card_holders = Table(
    "card_holders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("card_no", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("tier", String(1), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("phone", String(32), nullable=False, default=""),
    Column("employer", String(200), nullable=False, default=""),
    Column("credit_barred", Boolean, nullable=False, default=False),  # 失信: no 容缺 (S7)
    Column("conditional_barred_until", Date, nullable=True),  # after a breached commitment (S7)
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("tier IN ('A','B','C','D','E')", name="tier"),
    CheckConstraint("status IN ('active','expired','revoked')", name="status"),
)

staff = Table(
    "staff",
    metadata,
    Column("staff_id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("section", String(64), nullable=False),
    Column("extension", String(16), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("pin_hash", String(255), nullable=True),
    Column("failed_pins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
    CheckConstraint(
        "role IN ('desk','coordinator','after_hours','supervisor','admin','proxy')", name="role"
    ),
)

staff_shifts = Table(
    "staff_shifts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_id", String(32), ForeignKey("staff.staff_id", ondelete="CASCADE"), nullable=False),
    Column("days", String(40), nullable=False),  # "mon,tue,wed"
    Column("start", String(5), nullable=False),  # "08:30", hall-local time
    Column("end", String(5), nullable=False),
    Index("ix_staff_shifts_staff_id", "staff_id"),
)

lounges = Table(
    "lounges",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("floor", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("capacity >= 0", name="capacity"),
)

counters = Table(
    "counters",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # green | issuing | ordinary
    Column("floor", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("kind IN ('green','issuing','ordinary')", name="kind"),
)

items = Table(
    "items",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("department", String(64), nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("immediate", Boolean, nullable=False, default=False),
    Column("allow_conditional", Boolean, nullable=False, default=False),
    Column("jurisdiction", String(20), nullable=False),
    Column("clock_exempt", String(200), nullable=False, default=""),  # comma-separated codes
    Column("basis", String(200), nullable=False, default=""),
    Column("position", Integer, nullable=False, default=0),  # the catalog file's order: commonest first
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("jurisdiction IN ('enterprise_kind','city','proxy')", name="jurisdiction"),
)

materials = Table(
    "materials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_code", String(32), ForeignKey("items.code", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("condition", String(200), nullable=False, default=""),
    Column("note", String(200), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("item_code", "name", name="uq_materials_item_name"),
    CheckConstraint("kind IN ('core','secondary','conditional')", name="kind"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_no", String(32), nullable=False, unique=True),
    Column("holder_id", Integer, ForeignKey("card_holders.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # enterprise | startup
    Column("enterprise_name", String(200), nullable=False, default=""),
    Column("project_name", String(200), nullable=False, default=""),
    Column("enterprise_kind", String(32), nullable=False, default=""),
    Column("uscc", String(18), nullable=False, default=""),
    Column("jurisdiction", String(16), nullable=False, default="city"),  # city | district (S2)
    Column("district", String(64), nullable=False, default=""),
    Column("handling", String(16), nullable=False, default="direct"),  # direct | coordination | proxy (S2)
    Column("flags", String(40), nullable=False, default=""),  # urgent,special,major (S1)
    Column("service_mode", String(16), nullable=False),  # 五办 (S1)
    Column("full_proxy", Boolean, nullable=False, default=False),  # 全程代办 (S3)
    Column("status", String(24), nullable=False),
    Column("lounge_code", String(16), ForeignKey("lounges.code"), nullable=True),
    Column("coordinator_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("proxy_staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("first_contact_id", String(32), ForeignKey("staff.staff_id"), nullable=True),  # 首问负责
    Column("opened_at", UTCDateTime, nullable=False),
    Column("met_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("request_key", String(36), nullable=True),  # the desk's form, sent again after an outage (0014)
    Index("ix_cases_holder_id", "holder_id"),
    Index("ix_cases_status", "status"),
    # Routing reads each coordinator's and proxy's load (active cases, last assignment) and each
    # lounge's occupancy on every case opened: index seeks, not scans of years of history.
    Index("ix_cases_coordinator_status", "coordinator_id", "status"),
    Index("ix_cases_coordinator_opened", "coordinator_id", "opened_at"),
    Index("ix_cases_proxy_status", "proxy_staff_id", "status"),
    Index("ix_cases_proxy_opened", "proxy_staff_id", "opened_at"),
    Index("ix_cases_lounge_status", "lounge_code", "status"),
    # The supervision report (issue 14) seeks a month's cases by when they opened and closed.
    Index("ix_cases_opened_at", "opened_at"),
    Index("ix_cases_closed_at", "closed_at"),
    Index("ux_cases_request_key", "request_key", unique=True),
)

case_items = Table(
    "case_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("item_code", String(32), ForeignKey("items.code"), nullable=False),
    Column("status", String(24), nullable=False),
    Column("fees_paid", Boolean, nullable=False, default=False),
    Column("accepted_on", Date, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("due_estimated", Boolean, nullable=False, default=False),  # past the holiday data
    Column("supplement_due_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    # issue 14: the day of the approval decision (准予许可 or 不予许可), where the item's clock ends (S6)
    Column("decided_on", Date, nullable=True),
    # The checklist's outcome (S1, S7): pending | accepted | conditional | not_accepted; the 容缺 commitment.
    Column("decision", String(24), nullable=False, default="pending", server_default="pending"),
    Column("commitment_signed", Boolean, nullable=False, default=False, server_default=false()),
    Column("commitment_breached", Boolean, nullable=False, default=False, server_default=false()),
    # issue 13: the approval decision's document number (决定文书号), once decided
    Column("decision_no", String(64), nullable=False, default="", server_default=text("''")),
    Index("ix_case_items_case_id", "case_id"),
    Index("ix_case_items_status", "status"),
    # The supervision report (issue 14): items decided in a month; closed in a month, or still open and overdue.
    Index("ix_case_items_decided_on", "decided_on"),
    Index("ix_case_items_closed_due", "closed_on", "due_on"),
)

material_checks = Table(
    "material_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_item_id", Integer, ForeignKey("case_items.id", ondelete="CASCADE"), nullable=False),
    Column("material_id", Integer, ForeignKey("materials.id"), nullable=False),
    Column("received", Boolean, nullable=False, default=False),
    Column("form", String(12), nullable=False, default=""),  # original | copy
    Column("note", String(200), nullable=False, default=""),
    Column("received_at", UTCDateTime, nullable=True),
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    # A conditional material is required only when its condition applies to this applicant.
    Column("applies", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("case_item_id", "material_id", name="uq_material_checks_item_material"),
)

# Clock-exempt special procedures (S6; 行政许可法 §45): the item's clock stops from start to end.
item_pauses = Table(
    "item_pauses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_item_id", Integer, ForeignKey("case_items.id", ondelete="CASCADE"), nullable=False),
    Column("procedure", String(32), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Index("ix_item_pauses_case_item_id", "case_item_id"),
)

# Notices issued to the applicant, as data (numbers from a yearly counter row), for printing.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("case_item_id", Integer, ForeignKey("case_items.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("number", String(64), nullable=False, unique=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("staff_id", String(32), ForeignKey("staff.staff_id"), nullable=True),
    Column("content", JSON, nullable=False),
    Index("ix_documents_case_id", "case_id"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_no", String(16), nullable=False),
    Column("series", String(4), nullable=False),
    Column("day", Date, nullable=False),  # the hall's local business day
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # walkin | appointment | green
    Column("holder_id", Integer, ForeignKey("card_holders.id"), nullable=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("counter_code", String(16), ForeignKey("counters.code"), nullable=True),
    Column("recalls", Integer, nullable=False, default=0),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("called_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    # Issue 5: back from a hold or a transfer (called before the rest), and the counter a transfer went to.
    Column("returned_at", UTCDateTime, nullable=True),
    Column("for_counter", String(16), nullable=True),
    UniqueConstraint("day", "series", "seq", name="uq_tickets_day_series_seq"),
    Index("ix_tickets_day_status", "day", "status"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder_id", Integer, ForeignKey("card_holders.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("slot_start", String(5), nullable=False),
    Column("slot_end", String(5), nullable=False),
    Column("item_codes", String(400), nullable=False, default=""),
    Column("status", String(16), nullable=False),  # booked | checked_in | cancelled | missed
    Column("after_hours", Boolean, nullable=False, default=False),  # 延时服务 (S6)
    Column("created_at", UTCDateTime, nullable=False),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=True),
    # issue 12: the section receiving the visitor, the phone for the reminder call, a note for the desk
    # text("''"): alembic's comparison takes a plain "" default for no default at all
    Column("section", String(64), nullable=False, default="", server_default=text("''")),
    Column("phone", String(32), nullable=False, default="", server_default=text("''")),
    Column("note", String(200), nullable=False, default="", server_default=text("''")),
    Index("ix_appointments_day", "day"),
    Index("ix_appointments_holder_status", "holder_id", "status"),
)

# Seats taken per slot: one row per (section, day, slot start), bumped inside the booking transaction by
# one guarded statement (booked < capacity), so a slot is never over capacity however many terminals
# book it at once; cancelling or a missed appointment gives the seat back (issue 12).
appointment_seats = Table(
    "appointment_seats",
    metadata,
    Column("section", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("slot_start", String(5), primary_key=True),
    Column("booked", Integer, nullable=False),
)

# Numbering: one row per (series, local day), incremented inside the issuing transaction.
# Never max()+1 and never counting rows: that printed duplicate tickets under load (DESIGN.md).
sequences = Table(
    "sequences",
    metadata,
    Column("series", String(64), primary_key=True),  # doc:<kind>:<bureau> for notice numbers
    Column("day", Date, primary_key=True),
    Column("value", Integer, nullable=False),
)

# The one record of what happened: audit log, KPI source and the display's change feed.
events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("staff_id", String(32), nullable=True),
    Column("case_id", Integer, nullable=True),
    Column("ticket_id", Integer, nullable=True),
    Column("card_no", String(32), nullable=True),
    Column("details", JSON, nullable=False, default=dict),
    Index("ix_events_case_id", "case_id"),
    Index("ix_events_kind_at", "kind", "at"),
)

# The events log sealed (migration 0013): a SHA-256 chain over id ranges of events (storage.integrity).
event_seals = Table(
    "event_seals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_event_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("last_event_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("events", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("sealed_at", UTCDateTime, nullable=False),
)

# Every slip and notice printed (issue 6): where its files are in the spool folder, how printing went,
# and for slips their content, so the reprint list can send them again even if the files are gone.
slips = Table(
    "slips",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # ticket | appointment | visit | notice
    Column("title", String(200), nullable=False),
    Column("day", Date, nullable=False),  # the hall's local business day
    Column("created_at", UTCDateTime, nullable=False),
    Column("staff_id", String(32), nullable=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=True),
    Column("spool_path", String(500), nullable=False),  # without extension
    Column("files", String(40), nullable=False),  # png,pdf,escpos
    Column("backend", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", String(500), nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("printed_at", UTCDateTime, nullable=True),
    Column("content", JSON, nullable=True),
    CheckConstraint("status IN ('pending','printed','spooled','failed')", name="status"),
    Index("ix_slips_day", "day"),
    Index("ix_slips_status", "status"),
)
