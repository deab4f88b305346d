"""Every write on registrations, the waiting list, check-in and workshop sign-ups.

Capacity is guarded the pretix way: lock the event row, count, then write, all in one
transaction. Every service that can change how many places are taken (registering,
cancelling, promoting) takes that lock first, so two of them never decide on the same count.
Mail goes out only after the transaction commits.

capacity.py holds the lock and the counting, registration.py the registration and the waiting
list, mail.py the mail, checkin.py the check-in, workshops.py the workshop sign-ups,
importing.py the CSV import.
"""

from .capacity import Busy
from .checkin import check_in, undo_check_in
from .importing import import_registrations
from .mail import waitlist_position
from .registration import (
    AlreadyRegistered, can_cancel_own, cancel_registration, promote_waiting, register_participant,
    send_registration_reminder,
)
from .workshops import WorkshopFull, leave_workshop, sign_up_workshop

__all__ = [
    "AlreadyRegistered", "Busy", "WorkshopFull", "can_cancel_own", "cancel_registration", "check_in",
    "import_registrations", "leave_workshop", "promote_waiting", "register_participant", "send_registration_reminder",
    "sign_up_workshop", "undo_check_in", "waitlist_position",
]
