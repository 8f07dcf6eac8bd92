; Inno Setup script for Voice Broadcast Desk (Windows). Build the bundle first, on Windows:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install ".[build]"
;   .venv\Scripts\pyinstaller --noconfirm build.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\VoiceBroadcastDesk.iss
; The version must be the package version (desktop_app/__init__.py); build.spec writes the same
; number into the executable's version resource. See README "Building installers" for signing.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z packaging\windows\VoiceBroadcastDesk.iss
#endif

[Setup]
; A fixed AppId keeps upgrades and uninstalls tied to the same product. Never change it.
AppId={{6F1C3A52-7C0E-4C53-9A0B-2E5D7B8C1F40}
AppName=Voice Broadcast Desk
AppVersion={#AppVersion}
AppVerName=Voice Broadcast Desk {#AppVersion}
AppPublisher=Voice Broadcast Desk
DefaultDirName={autopf}\Voice Broadcast Desk
DefaultGroupName=Voice Broadcast Desk
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=VoiceBroadcastDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\voice-broadcast-desk.ico
UninstallDisplayIcon={app}\VoiceBroadcastDesk.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Uncomment when a code-signing certificate is configured as the "signtool" sign tool in the IDE
; or with ISCC /S"signtool=signtool sign /fd sha256 /tr http://timestamp.example /td sha256 $f":
; SignTool=signtool

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\VoiceBroadcastDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Voice Broadcast Desk"; Filename: "{app}\VoiceBroadcastDesk.exe"
Name: "{autoprograms}\Voice Broadcast Desk (sandbox, no real calls)"; Filename: "{app}\VoiceBroadcastDesk.exe"; Parameters: "--sandbox"
Name: "{autodesktop}\Voice Broadcast Desk"; Filename: "{app}\VoiceBroadcastDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\VoiceBroadcastDesk.exe"; Description: "{cm:LaunchProgram,Voice Broadcast Desk}"; Flags: nowait postinstall skipifsilent
