# Finds a JDK 21 or newer for ./mvnw and ./tandem. POSIX sh, sourced by both.
#
#   tandem_find_jdk          prints the JAVA_HOME of the newest JDK >= 21 found, or fails
#   tandem_no_jdk_advice     prints what to install on this OS (stderr)
#
# Where it looks: JAVA_HOME, the usual install roots of Linux distributions, SDKMAN, IntelliJ,
# macOS and Homebrew (whose openjdk@21 is keg-only: not on the PATH), and `java` on the PATH. TANDEM_JDK_ROOTS (a space-separated list of directories whose
# subdirectories are JDKs) replaces the install roots and skips the PATH: the tests point it at
# an empty directory to play a machine without a JDK 21. TANDEM_OS_RELEASE (a file in
# /etc/os-release's format) and TANDEM_UNAME (what `uname -s` would say) choose the OS the advice
# is for; tests only.

tandem_java_major() { # the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1 | grep . \
    || echo 0
}

tandem_jdk_candidates() { # prints candidate JDK homes, one per line
  [ -n "${JAVA_HOME:-}" ] && printf '%s\n' "$JAVA_HOME"
  _tandem_roots="${TANDEM_JDK_ROOTS-/usr/lib/jvm /usr/java /opt/java /opt/jdk ${HOME:-/nonexistent}/.sdkman/candidates/java ${HOME:-/nonexistent}/.jdks /Library/Java/JavaVirtualMachines /opt/homebrew/opt/openjdk*/libexec /usr/local/opt/openjdk*/libexec}"
  _tandem_noglob=0
  case $- in *f*) _tandem_noglob=1; set +f ;; esac
  for _tandem_root in $_tandem_roots; do
    for _tandem_home in "$_tandem_root"/*; do
      [ -d "$_tandem_home/Contents/Home" ] && _tandem_home="$_tandem_home/Contents/Home"
      [ -x "$_tandem_home/bin/java" ] && printf '%s\n' "$_tandem_home"
    done
  done
  [ "$_tandem_noglob" = 1 ] && set -f
  if [ -z "${TANDEM_JDK_ROOTS+set}" ] && command -v java >/dev/null 2>&1; then
    _tandem_java=$(command -v java)
    # /usr/bin/java is usually a chain of links into the JDK: follow it to the home directory
    _tandem_java=$(readlink -f "$_tandem_java" 2>/dev/null || printf '%s' "$_tandem_java")
    dirname "$(dirname "$_tandem_java")"
  fi
  return 0
}

tandem_find_jdk() {
  _tandem_best=""
  _tandem_best_major=0
  for _tandem_home in $(tandem_jdk_candidates); do
    [ -x "$_tandem_home/bin/java" ] && [ -x "$_tandem_home/bin/javac" ] || continue
    _tandem_major=$(tandem_java_major "$_tandem_home/bin/java")
    # JAVA_HOME wins when it is new enough; otherwise the newest JDK found
    if [ "$_tandem_major" -ge 21 ] 2>/dev/null && [ "$_tandem_home" = "${JAVA_HOME:-}" ]; then
      printf '%s\n' "$_tandem_home"
      return 0
    fi
    if [ "$_tandem_major" -gt "$_tandem_best_major" ] 2>/dev/null; then
      _tandem_best="$_tandem_home"
      _tandem_best_major="$_tandem_major"
    fi
  done
  [ "$_tandem_best_major" -ge 21 ] || return 1
  printf '%s\n' "$_tandem_best"
}

tandem_no_jdk_advice() {
  _tandem_os_release="${TANDEM_OS_RELEASE:-/etc/os-release}"
  _tandem_id="" _tandem_version=""
  if [ -r "$_tandem_os_release" ]; then
    _tandem_id=$(sed -n 's/^ID="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$_tandem_os_release" | head -n 1)
    _tandem_version=$(sed -n 's/^VERSION_ID="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$_tandem_os_release" | head -n 1)
  fi
  case "${TANDEM_UNAME:-$(uname -s 2>/dev/null)}" in
    Darwin) _tandem_id=macos ;;
    MINGW* | MSYS* | CYGWIN*) _tandem_id=windows ;; # Git Bash, MSYS2, Cygwin
  esac
  {
    echo "Tandem needs a Java Development Kit (JDK), version 21 or newer, and found none"
    echo "(looked at JAVA_HOME, /usr/lib/jvm, /usr/java, /opt/java, SDKMAN, ~/.jdks, Homebrew and the PATH)."
    case "$_tandem_id:$_tandem_version" in
      debian:[0-9]|debian:[0-9].*|debian:1[0-2]|debian:1[0-2].*)
        echo "Debian $_tandem_version's archive has no OpenJDK 21. Install Eclipse Temurin 21 from the"
        echo "Adoptium APT repository: add it as https://adoptium.net/installation/linux/ shows, then"
        echo "  sudo apt-get install temurin-21-jdk"
        echo "or unpack a JDK 21+ tarball under /opt/java, then run this command again." ;;
      debian:*|ubuntu:2[2-9].*|ubuntu:[3-9]*)
        echo "Install it with:  sudo apt-get install openjdk-21-jdk" ;;
      ubuntu:*)
        echo "This Ubuntu release has no OpenJDK 21 package: install Eclipse Temurin 21 (package"
        echo "temurin-21-jdk from the Adoptium APT repository) or upgrade to Ubuntu 22.04 or newer." ;;
      fedora:*|rhel:*|centos:*|rocky:*|almalinux:*|ol:*|amzn:*)
        echo "Install it with:  sudo dnf install java-21-openjdk-devel" ;;
      alpine:*)
        echo "Install it with:  apk add openjdk21-jdk" ;;
      arch:*|manjaro:*)
        echo "Install it with:  sudo pacman -S jdk21-openjdk" ;;
      opensuse*:*|sles:*)
        echo "Install it with:  sudo zypper install java-21-openjdk-devel" ;;
      macos:*)
        echo "Install it with:  brew install openjdk@21   (or Eclipse Temurin 21's .pkg installer)" ;;
      windows:*)
        echo "Install it with:  winget install EclipseAdoptium.Temurin.21.JDK"
        echo "(or Eclipse Temurin 21's .msi installer from adoptium.net; tick \"Set JAVA_HOME\")."
        echo "From cmd.exe or PowerShell, use mvnw.cmd and java -jar target\\tandem.jar." ;;
      *)
        echo "Install OpenJDK 21 (or Eclipse Temurin 21) from your system's packages." ;;
    esac
    echo "If one is installed somewhere else, point JAVA_HOME at it."
  } >&2
}
