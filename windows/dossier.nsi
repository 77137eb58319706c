; Dossier's Windows installer, built by `make windows` with Debian's makensis.
;
; Per-user: it installs into %LOCALAPPDATA%\Programs\Dossier, adds a
; Start-menu shortcut and an uninstaller entry for the current user, and asks
; for no administrator rights. The uninstaller removes the programs only:
; vaults (%LOCALAPPDATA%\dossier by default) are never touched, since they
; hold evidence that must not be lost by removing a program.
;
; Reproducible: the Makefile passes VERSION, FILEVERSION, SRC and OUT, and
; sets every input file's time to SOURCE_DATE_EPOCH; SetDateSave off keeps
; file times out of the installer anyway, and makensis (3.08 in Debian)
; writes no build time when SOURCE_DATE_EPOCH is set.

Unicode true
SetCompressor /SOLID lzma
SetDateSave off
RequestExecutionLevel user
ManifestDPIAware true

!include "MUI2.nsh"
!include "x64.nsh"

!ifndef VERSION
  !error "makensis -DVERSION=... -DFILEVERSION=... -DSRC=... -DOUT=..."
!endif

Name "Dossier ${VERSION}"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Dossier"
InstallDirRegKey HKCU "Software\Dossier" "InstallDir"
BrandingText "Dossier ${VERSION}"

VIProductVersion "${FILEVERSION}"
VIAddVersionKey /LANG=1033 "ProductName" "Dossier"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "Dossier ${VERSION} setup"
VIAddVersionKey /LANG=1033 "LegalCopyright" "The Dossier authors"

!define MUI_ICON "${SRC}\dossier.ico"
!define MUI_UNICON "${SRC}\dossier.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\dossier.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Dossier"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "Indonesian"
!insertmacro MUI_LANGUAGE "Spanish"
!insertmacro MUI_LANGUAGE "Portuguese"
!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Dossier needs 64-bit Windows."
    Abort
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Section "Dossier"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "${SRC}\dossier.exe"
  File "${SRC}\dossierctl.exe"
  File "${SRC}\README-windows.txt"
  File "${SRC}\THIRD-PARTY-LICENSES.txt"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Dossier.lnk" "$INSTDIR\dossier.exe"
  WriteRegStr HKCU "Software\Dossier" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "Dossier"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\dossier.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  ; The programs only, by name: never the vaults, never a folder's contents
  ; that this installer did not put there.
  Delete "$INSTDIR\dossier.exe"
  Delete "$INSTDIR\dossierctl.exe"
  Delete "$INSTDIR\README-windows.txt"
  Delete "$INSTDIR\THIRD-PARTY-LICENSES.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Dossier.lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\Dossier"
SectionEnd
