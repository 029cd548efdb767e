@echo off
rem cem launcher (Windows cmd): finds Java 17 or newer (JAVA_HOME first, then PATH) and runs cem's jar.
setlocal
set "CEM_HOME=%~dp0.."
set "JAVA_EXE=java"
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
"%JAVA_EXE%" -version >nul 2>&1
if errorlevel 1 (
  echo cem: Java 17 or newer is required, and no java was found ^(set JAVA_HOME or put java on PATH^). 1>&2
  exit /b 1
)
for /f "tokens=3" %%v in ('"%JAVA_EXE%" -version 2^>^&1 ^| findstr /i "version"') do set "JAVA_VERSION=%%~v"
for /f "delims=." %%m in ("%JAVA_VERSION%") do set "JAVA_MAJOR=%%m"
if %JAVA_MAJOR% LSS 17 (
  echo cem: Java 17 or newer is required; found %JAVA_VERSION%. 1>&2
  exit /b 1
)
"%JAVA_EXE%" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "%CEM_HOME%\lib\cem.jar" %*
exit /b %ERRORLEVEL%
