"""`python -m desktop_app` and the frozen program: start Voice Broadcast Desk.

Before the app starts, a windowed Windows build attaches to the console that started it, so
`--self-test` prints its line there. `--serve-sandbox` runs the built-in sandbox alone: the app
starts itself that way in sandbox mode (local_sandbox.py). `--check-site-config` (for IT) prints what the
administrator's site settings file sets and exits: 0 if it is fine or absent, 1 if it has problems.
"""

import sys

from desktop_app.platform_support import attach_parent_console


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve-sandbox"]:  # the built-in sandbox's own process (local_sandbox.py)
        from desktop_app.sandbox.__main__ import main as serve

        return serve(args[1:])
    attach_parent_console(args)
    if args[:1] == ["--check-site-config"]:
        from desktop_app.storage.site_config import check_site_config

        return check_site_config()
    from desktop_app.app import main as start

    return start(argv)


if __name__ == "__main__":
    sys.exit(main())
