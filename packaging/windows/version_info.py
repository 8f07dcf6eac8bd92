"""The Windows version resource (Explorer's Properties → Details) for VoiceBroadcastDesk.exe.

build.spec writes `version_file_text(VERSION)` to build/version_info.txt and hands it to EXE(); it
is PyInstaller's version-file format, so it can be generated and checked on any system.
"""

from __future__ import annotations

import re

PRODUCT = "Voice Broadcast Desk"
EXE_NAME = "VoiceBroadcastDesk"


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """ "1.2.3" -> (1, 2, 3, 0); "1.2.3rc1" -> (1, 2, 3, 0): Windows wants four 16-bit numbers."""
    parts = [int(re.match(r"\d*", part).group() or 0) for part in version.split(".")[:4]]  # type: ignore[union-attr]
    parts += [0] * (4 - len(parts))
    if any(not 0 <= n <= 0xFFFF for n in parts):
        raise ValueError(f"version {version!r} does not fit a Windows version resource")
    return parts[0], parts[1], parts[2], parts[3]


def version_file_text(version: str) -> str:
    numbers = version_numbers(version)
    strings = {
        "CompanyName": PRODUCT,
        "FileDescription": PRODUCT,
        "FileVersion": version,
        "InternalName": EXE_NAME,
        "LegalCopyright": f"Copyright {PRODUCT} developers",
        "OriginalFilename": f"{EXE_NAME}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
          {table}])]),
    VarFileInfo([VarStruct('Translation', [0x0409, 1200])])
  ]
)
"""
