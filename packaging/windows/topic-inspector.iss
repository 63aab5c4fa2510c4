; Inno Setup 6 script for the Windows installer of Topic Inspector.
;
; Build from the repository root, after PyInstaller has made dist\topic-inspector\ and packaging/icons.py has made
; build\icons\topic-inspector.ico:
;
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\topic-inspector.iss
;
; which writes dist\installer\TopicInspector-0.1.0-Setup.exe. The workflow .github/workflows/installers.yml reads
; the version from pyproject.toml and passes it this way.
;
; Setup asks whether to install for all users (Program Files, needs elevation) or for the current user only
; (%LOCALAPPDATA%\Programs, no elevation); /ALLUSERS or /CURRENTUSER on the command line answer it silently.
; There is no license page: the repository has no license file to show.

#ifndef AppVersion
  #define AppVersion "0.0.0-dev"
#endif
#define AppName "Topic Inspector"
; The windowed program (no console): what the shortcuts start.
#define AppExeName "TopicInspector.exe"

[Setup]
; AppId identifies the application to Windows and to later installers (upgrades, uninstall): never change it.
AppId={{5BAA7059-2A25-441D-9D48-292D50D1231C}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Topic Inspector developers
; Every relative path below is relative to the repository root, two folders up from this script.
SourceDir={#AddBackslash(SourcePath)}..\..
DefaultDirName={autopf}\Topic Inspector
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=dist\installer
OutputBaseFilename=TopicInspector-{#AppVersion}-Setup
Compression=lzma2
SolidCompression=yes
SetupIconFile=build\icons\topic-inspector.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
WizardStyle=modern
; The "addtopath" task edits the PATH: tell running programs (Explorer) to reload the environment.
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the install folder to the PATH, to run topic-inspector from a terminal"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
; The PyInstaller one-folder build: TopicInspector.exe (windowed), topic-inspector.exe (console) and _internal\.
Source: "dist\topic-inspector\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "build\icons\topic-inspector.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; IconFilename: "{app}\topic-inspector.ico"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; IconFilename: "{app}\topic-inspector.ico"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The "addtopath" task appends {app} to the PATH: the user's (HKCU\Environment) for a current-user install, the
// machine's for an all-users install. The uninstaller takes that entry out again, and only that entry.

const
  UserEnvironmentKey = 'Environment';
  SystemEnvironmentKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

function ReadPathValue(var Value: String): Boolean;
begin
  if IsAdminInstallMode then
    Result := RegQueryStringValue(HKEY_LOCAL_MACHINE, SystemEnvironmentKey, 'Path', Value)
  else
    Result := RegQueryStringValue(HKEY_CURRENT_USER, UserEnvironmentKey, 'Path', Value);
  if not Result then
    Value := '';
end;

function WritePathValue(const Value: String): Boolean;
begin
  // REG_EXPAND_SZ, as Windows keeps it: entries such as %USERPROFILE%\bin must stay unexpanded.
  if IsAdminInstallMode then
    Result := RegWriteExpandStringValue(HKEY_LOCAL_MACHINE, SystemEnvironmentKey, 'Path', Value)
  else
    Result := RegWriteExpandStringValue(HKEY_CURRENT_USER, UserEnvironmentKey, 'Path', Value);
end;

function SamePathEntry(const Entry, Dir: String): Boolean;
begin
  Result := CompareText(RemoveBackslashUnlessRoot(Trim(Entry)), RemoveBackslashUnlessRoot(Dir)) = 0;
end;

// PathValue without its entries equal to Dir (and without empty entries); Found tells whether there was one.
function PathWithout(const PathValue, Dir: String; var Found: Boolean): String;
var
  Rest, Entry: String;
  P: Integer;
begin
  Result := '';
  Found := False;
  Rest := PathValue;
  while Rest <> '' do
  begin
    P := Pos(';', Rest);
    if P = 0 then
    begin
      Entry := Rest;
      Rest := '';
    end
    else
    begin
      Entry := Copy(Rest, 1, P - 1);
      Rest := Copy(Rest, P + 1, Length(Rest));
    end;
    if Trim(Entry) <> '' then
    begin
      if SamePathEntry(Entry, Dir) then
        Found := True
      else if Result = '' then
        Result := Entry
      else
        Result := Result + ';' + Entry;
    end;
  end;
end;

procedure AddAppToPath;
var
  Dir, OldPath, NewPath: String;
  Found: Boolean;
begin
  Dir := ExpandConstant('{app}');
  if not ReadPathValue(OldPath) then
    Log('No PATH value yet');
  PathWithout(OldPath, Dir, Found);
  if Found then
  begin
    Log('PATH already has ' + Dir);
    Exit;
  end;
  if OldPath = '' then
    NewPath := Dir
  else if OldPath[Length(OldPath)] = ';' then
    NewPath := OldPath + Dir
  else
    NewPath := OldPath + ';' + Dir;
  if WritePathValue(NewPath) then
    Log('Added ' + Dir + ' to PATH')
  else
    SuppressibleMsgBox('Could not add ' + Dir + ' to the PATH.', mbError, MB_OK, IDOK);
end;

procedure RemoveAppFromPath;
var
  Dir, OldPath, NewPath: String;
  Found: Boolean;
begin
  Dir := ExpandConstant('{app}');
  if not ReadPathValue(OldPath) then
    Exit;
  NewPath := PathWithout(OldPath, Dir, Found);
  if not Found then
    Exit;
  if WritePathValue(NewPath) then
    Log('Removed ' + Dir + ' from PATH')
  else
    Log('Could not remove ' + Dir + ' from PATH');
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddAppToPath;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
    RemoveAppFromPath;
end;
