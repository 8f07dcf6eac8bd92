"""PySide6 without its source scan on every import.

PySide6 hooks every import statement run after it is loaded, for its optional `__feature__`
switches (`from __feature__ import snake_case`): the first time a module name is imported, it reads
that module's whole source through `inspect.getsource` (linecache and tokenize) to see whether the
word "PySide6" appears in it (PYSIDE-2029). Modules that contain it switch to the feature set they
chose (none, 0); the others are left out of switching (-1). This app never imports `__feature__`,
so no module ever chooses a feature and the answer changes nothing; reading the sources cost
12-17 ms before the first paint here (about 105 modules), and more for the SOAP stack on the
workers. `skip_feature_scan` answers the question from the file's bytes instead.
"""

from __future__ import annotations

import sys
from types import ModuleType


def skip_feature_scan() -> None:
    """Replace the tokenizing scan with a search of the module file's bytes (the same answers).
    Call it before the app's own modules are imported; it imports PySide6.QtCore itself."""
    import PySide6.QtCore  # noqa: F401  (loads shibokensupport, the hook's home)

    feature = sys.modules.get("shibokensupport.feature")
    scan = getattr(feature, "_mod_uses_pyside", None)
    if scan is None or getattr(scan, "replaced", False):
        return  # another PySide version, or done already: keep what it does

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return scan(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return scan(module)

    uses_pyside.replaced = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
