"""What the registrations app tells the others, without importing them."""

from django.dispatch import Signal

# Sent inside cancel_registration's transaction when a registration becomes cancelled, with
# `registration`, `event` and `actor` (None when the person cancels their own). Receivers
# write in the same transaction (the teams app takes the person out of their team).
registration_cancelled = Signal()
