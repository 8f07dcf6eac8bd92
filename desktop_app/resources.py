"""Find bundled resources (the WSDL, icons) from a source checkout, an installed wheel or a
frozen PyInstaller bundle. The top-level `resources/` folder ships inside the wheel as
`desktop_app/resources/`."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    candidates = [
        _PACKAGE_DIR / "resources",  # installed wheel
        _PACKAGE_DIR.parent / "resources",  # source checkout / editable install
    ]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "resources")
    for candidate in candidates:
        if (candidate / "PhoneNotify.wsdl").is_file():
            return candidate
    raise FileNotFoundError("The bundled resources (PhoneNotify.wsdl) are missing from this installation.")


def resource_path(name: str) -> Path:
    path = resources_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"The bundled resource {name!r} is missing from this installation.")
    return path


def wsdl_path() -> Path:
    return resource_path("PhoneNotify.wsdl")
