"""A faithful local PhoneNotify simulator: offline/training mode, test server and protocol reference.

Module map: `httpd` (HTTP server, `Sandbox`), `dispatch` (routing: WSDL, SOAP, GET/POST),
`wire` (the XML codec, on lxml), `operations` (the simulated operations), `state` and `rules`
(accounts, calls and how each number behaves), `faults` (fault injection), `tables` (the
sandbox's own reference data), `contract` (the WSDL, the only thing shared with the client).
"""

from .faults import FAULTS, FaultPlan
from .httpd import Sandbox, serve
from .state import DEMO_KEY, SUSPENDED_KEYS, ManualClock, PhoneNotifyState, SystemClock
from .tables import NAMESPACES

__all__ = [
    "DEMO_KEY",
    "FAULTS",
    "NAMESPACES",
    "SUSPENDED_KEYS",
    "FaultPlan",
    "ManualClock",
    "PhoneNotifyState",
    "Sandbox",
    "SystemClock",
    "serve",
]
