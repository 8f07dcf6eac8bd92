"""`python -m desktop_app`: start Voice Broadcast Desk."""

import sys

from desktop_app.app import main

if __name__ == "__main__":
    sys.exit(main())
