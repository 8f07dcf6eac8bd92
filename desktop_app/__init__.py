"""Voice Broadcast Desk: a desktop app for the Esendex Voice Broadcast (PhoneNotify) API."""

__version__ = "0.1.0"
APP_NAME = "Voice Broadcast Desk"
APP_ID = "VoiceBroadcastDesk"
