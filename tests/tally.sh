# Sourced by the shell tests: the count of their checks. ok records a pass;
# bad WHAT records a failure and says what failed; tally NAME [WHERE] prints
# the count and succeeds only when nothing failed (each script ends with it).
# scratch makes T a fresh directory, removed when the script exits.
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
tally() {
  echo "$1: $pass passed, $fail failed${2:+ $2}"
  [ "$fail" -eq 0 ]
}
scratch() {
  T=$(mktemp -d)
  trap 'rm -rf "$T"' EXIT
}
