# Sourced by the bench scripts: Maven offline when ~/.m2 already holds what the build needs (no
# network, no waiting on the registry), online otherwise.
mvnw() {
  ./mvnw -o "$@" 2>/dev/null || ./mvnw "$@"
}
