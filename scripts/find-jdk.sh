# Sourced by demo.sh, test.sh and bench/run.sh: finds a JDK 21+ and exports JAVA_HOME.
# Order: $JAVA_HOME, then `java` on PATH, then the usual install folders.
_ls_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n1
}
_ls_try_home() { # $1: a candidate JAVA_HOME; succeeds if it holds java and javac 21+
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local v; v=$(_ls_java_major "$1/bin/java")
  [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null
}
_ls_find_jdk() {
  if _ls_try_home "${JAVA_HOME:-}"; then echo "$JAVA_HOME"; return 0; fi
  local j; j=$(command -v java 2>/dev/null) && j=$(readlink -f "$j") && j=$(dirname "$(dirname "$j")")
  if _ls_try_home "$j"; then echo "$j"; return 0; fi
  local d best="" bestv=0 v
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    if _ls_try_home "$d"; then
      v=$(_ls_java_major "$d/bin/java")
      if [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
    fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}
if ! LS_JDK=$(_ls_find_jdk); then
  echo "loomsocket needs a JDK 21 or newer (virtual threads), and none was found." >&2
  echo "Looked at \$JAVA_HOME, at 'java' on PATH, and in /usr/lib/jvm, /usr/java, /opt." >&2
  echo "Install one, e.g. 'apt-get install -y openjdk-21-jdk' (Debian/Ubuntu) or Temurin 21 from adoptium," >&2
  echo "then run again, or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$LS_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "loomsocket builds with Apache Maven 3.8+, and 'mvn' is not on PATH." >&2
  echo "Install it, e.g. 'apt-get install -y maven', then run again." >&2
  exit 1
fi
