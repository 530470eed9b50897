"""Background work of the webhooks: each delivery (the hourly jobs are in ``periodic.py``)."""

from __future__ import annotations

from datetime import timedelta

from miroir.operations.retry import retried_task
from miroir.webhooks import services


# A failed attempt raises ``DeliveryFailed`` and the task runs again after 30 s, 2 min,
# 8 min, 32 min, 2 h; the delivery counts its own attempts and stops failing (marked
# failed, logged on the subscription's page) at ``DELIVERY_ATTEMPTS``, before the task's
# own limit, which only an unexpected error (the database) reaches.
@retried_task(
    attempts=services.DELIVERY_ATTEMPTS + 2,
    base_delay=timedelta(seconds=30),
    factor=4.0,
    max_delay=timedelta(hours=2),
)
def deliver(delivery_id: int) -> str:
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "gone"
