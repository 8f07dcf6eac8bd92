"""A faithful local PhoneNotify simulator: offline/training mode, test server and protocol reference."""

from .server import FAULTS, FaultPlan, Sandbox, serve
from .state import DEMO_KEY, SUSPENDED_KEYS, ManualClock, PhoneNotifyState, SystemClock

__all__ = [
    "DEMO_KEY",
    "FAULTS",
    "SUSPENDED_KEYS",
    "FaultPlan",
    "ManualClock",
    "PhoneNotifyState",
    "Sandbox",
    "SystemClock",
    "serve",
]
