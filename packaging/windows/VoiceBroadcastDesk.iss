; Inno Setup script for Voice Broadcast Desk (Windows). Build the bundle first, on Windows:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install ".[build]"
;   .venv\Scripts\pyinstaller --noconfirm build.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\VoiceBroadcastDesk.iss
; The version must be the package version (desktop_app/__init__.py); build.spec writes the same
; number into the executable's version resource. CI builds, installs and uninstalls it
; (.github/workflows/build-installers.yml); packaging/windows/check_iss.py checks it on Linux.
;
; Silent installation (docs/deployment.md):
;   VoiceBroadcastDesk-x.y.z-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS
;       [/DIR="C:\Program Files\Voice Broadcast Desk"] [/TASKS=desktopicon] [/LOG=C:\path\setup.log]
;       [/SETTINGS=\\server\share\site-settings.json]
;   /SILENT shows progress only; /CURRENTUSER installs for the current user without admin rights.
;   /SETTINGS=path copies an administrator's settings file to
;   %ProgramData%\VoiceBroadcastDesk\site-settings.json (all-users installs only; setup stops with a
;   message if the file is missing). Exit code 0 is success.
; Silent removal: "%ProgramFiles%\Voice Broadcast Desk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   It leaves the history, the user's settings, the license keys in Windows Credential Manager and
;   the site settings file in place, and says so.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z packaging\windows\VoiceBroadcastDesk.iss
#endif
; Releases use the default. ./dev windows builds its throwaway upgrade-test setup program with
; /DCompression=lzma2/fast (the same decoder at install time, a minute less to build).
#ifndef Compression
  #define Compression "lzma2/max"
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
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline dialog
OutputDir=..\..\dist
OutputBaseFilename=VoiceBroadcastDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\voice-broadcast-desk.ico
UninstallDisplayIcon={app}\VoiceBroadcastDesk.exe
Compression={#Compression}
SolidCompression=yes
WizardStyle=modern
SetupLogging=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Uncomment when a code-signing certificate is configured as the "signtool" sign tool in the IDE
; or with ISCC /S"signtool=signtool sign /fd sha256 /tr http://timestamp.example /td sha256 $f":
; SignTool=signtool

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\VoiceBroadcastDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The administrator's settings file from /SETTINGS=path, read at install time; kept on uninstall.
Source: "{param:SETTINGS|}"; DestDir: "{commonappdata}\VoiceBroadcastDesk"; DestName: "site-settings.json"; Flags: external ignoreversion uninsneveruninstall; Check: HasSiteSettings

[Icons]
Name: "{autoprograms}\Voice Broadcast Desk"; Filename: "{app}\VoiceBroadcastDesk.exe"
Name: "{autoprograms}\Voice Broadcast Desk (sandbox, no real calls)"; Filename: "{app}\VoiceBroadcastDesk.exe"; Parameters: "--sandbox"
Name: "{autodesktop}\Voice Broadcast Desk"; Filename: "{app}\VoiceBroadcastDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\VoiceBroadcastDesk.exe"; Description: "{cm:LaunchProgram,Voice Broadcast Desk}"; Flags: nowait postinstall skipifsilent

[Messages]
ConfirmUninstall=Remove %1 from this computer?%n%nYour call history, your settings and the license keys saved in Windows Credential Manager are kept.

[CustomMessages]
KeptOnUninstall=Voice Broadcast Desk was removed.%n%nYour call history and settings (in AppData\Roaming\VoiceBroadcastDesk and AppData\Local\VoiceBroadcastDesk), the license keys in Windows Credential Manager (entries named VoiceBroadcastDesk) and any administrator's settings file (ProgramData\VoiceBroadcastDesk) were left in place, so reinstalling brings them back. Delete them by hand to remove them too.

[Code]
function SiteSettingsSource(): String;
begin
  Result := ExpandConstant('{param:SETTINGS|}');
end;

function HasSiteSettings(): Boolean;
begin
  Result := SiteSettingsSource() <> '';
end;

{ Refuse before anything is installed, with a message that silent installs return as exit code 7. }
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if not HasSiteSettings() then
    exit;
  if not FileExists(SiteSettingsSource()) then
    Result := 'The settings file given with /SETTINGS was not found: ' + SiteSettingsSource()
  else if not IsAdminInstallMode() then
    Result := '/SETTINGS needs an installation for all users: run setup as an administrator with /ALLUSERS.';
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and HasSiteSettings() then
    Log('Administrator settings installed from ' + SiteSettingsSource());
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Log(CustomMessage('KeptOnUninstall'));
    SuppressibleMsgBox(CustomMessage('KeptOnUninstall'), mbInformation, MB_OK, IDOK);
  end;
end;
