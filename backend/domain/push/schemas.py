"""Inputs of the devices page: a browser's push subscription (JSON) and the quiet-hours form."""

from __future__ import annotations

import msgspec

__all__ = ["QuietHoursForm", "SubscriptionIn", "SubscriptionKeys", "UnsubscribeIn"]


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=False):
    p256dh: str
    auth: str


class SubscriptionIn(msgspec.Struct, forbid_unknown_fields=False):
    """``PushSubscription.toJSON()`` as the browser sends it."""

    endpoint: str
    keys: SubscriptionKeys


class UnsubscribeIn(msgspec.Struct, forbid_unknown_fields=False):
    endpoint: str


class QuietHoursForm(msgspec.Struct, forbid_unknown_fields=False):
    quiet_enabled: str = ""
    quiet_start: str = "21:00"
    quiet_end: str = "06:30"
