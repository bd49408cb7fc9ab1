"""State changes of registration: register, the waitlist, offers, capacity, passes, rules.

This package's ``__init__`` is its one public surface: import services and errors from
``registration.services``; its modules (seats, waitlist, registrations, passes, kinds, rules,
mail, errors) and their ``_private`` helpers are its own business.

No oversell, ever: every change that consumes or frees a seat first locks the attendance
kind row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already
holds the database's write lock) and recounts the seats inside the same transaction. The lock
lives in the database, so it holds across any number of server processes and machines; there
is no in-process lock or cache in this path. Seat-consuming helpers take the ``_Locked`` token
that only ``seats._lock_kind`` makes, so a new code path cannot consume a seat without the lock.
"""

from registration.services.errors import (
    AlreadyRegistered,
    CapacityTooLow,
    Closed,
    InPersonIncludesVirtual,
    NobodyWaiting,
    NoFreeSeat,
    NoOpenOffer,
    NotActive,
    NotOpen,
    NotYours,
    OfferExpired,
    PassInvalid,
    PassLimitReached,
    RegistrationError,
    SoldOut,
)
from registration.services.kinds import (
    CapacityChange,
    attendance_kind_change_capacity,
    attendance_kind_create,
    attendance_kind_delete,
    attendance_kind_set_capacity,
    attendance_kind_update,
)
from registration.services.mail import register_url, send_waitlisted_mail
from registration.services.passes import normalize_code, pass_issue, pass_redeem, pass_revoke
from registration.services.registrations import registration_cancel, registration_create
from registration.services.rules import priority_rule_delete, priority_rule_save
from registration.services.waitlist import (
    offer_accept,
    offer_decline,
    offer_expire_lapsed,
    offer_extend,
    offer_withdraw,
    registration_set_bonus,
    waitlist_offer_next,
)

__all__ = [
    "AlreadyRegistered",
    "CapacityChange",
    "CapacityTooLow",
    "Closed",
    "InPersonIncludesVirtual",
    "NoFreeSeat",
    "NoOpenOffer",
    "NobodyWaiting",
    "NotActive",
    "NotOpen",
    "NotYours",
    "OfferExpired",
    "PassInvalid",
    "PassLimitReached",
    "RegistrationError",
    "SoldOut",
    "attendance_kind_change_capacity",
    "attendance_kind_create",
    "attendance_kind_delete",
    "attendance_kind_set_capacity",
    "attendance_kind_update",
    "normalize_code",
    "offer_accept",
    "offer_decline",
    "offer_expire_lapsed",
    "offer_extend",
    "offer_withdraw",
    "pass_issue",
    "pass_redeem",
    "pass_revoke",
    "priority_rule_delete",
    "priority_rule_save",
    "register_url",
    "registration_cancel",
    "registration_create",
    "registration_set_bonus",
    "send_waitlisted_mail",
    "waitlist_offer_next",
]
