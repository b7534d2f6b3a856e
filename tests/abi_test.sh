#!/bin/sh
# The public ABI (issue 13): every public header compiles alone, as C11 and
# as C++; the library exports exactly the functions the headers declare (no
# more, no fewer); public headers size no array with a bare number.
# Usage: abi_test.sh SOURCE_ROOT BUILD_ROOT
set -eu
SRC=$1
BUILD=$2
# shellcheck source=tests/tally.sh
. "$SRC/tests/tally.sh" && scratch
inc="-I$SRC/include -I$BUILD/include"
for h in "$SRC"/include/dvc/*.h "$BUILD"/include/dvc/version.h; do
  name=dvc/$(basename "$h")
  printf '#include <%s>\nint dvc_abi_test_unused;\n' "$name" >"$T/one.c"
  # shellcheck disable=SC2086
  if cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $inc "$T/one.c" 2>"$T/err"; then ok
  else bad "$name alone as C11: $(head -3 "$T/err")"; fi
  # shellcheck disable=SC2086
  if g++ -std=c++11 -x c++ -Wall -Wextra -Wpedantic -Werror -fsyntax-only $inc "$T/one.c" 2>"$T/err"; then ok
  else bad "$name alone as C++11: $(head -3 "$T/err")"; fi
done
# declared: the name before the first '(' of each DVC_API declaration, read
# after the preprocessor (no comments; DVC_API marked)
for h in "$SRC"/include/dvc/*.h; do printf '#include <dvc/%s>\n' "$(basename "$h")"; done >"$T/all.c"
# shellcheck disable=SC2086
cc -std=c11 -E -P -DDVC_BUILDING $inc "$T/all.c" | tr '\n' ' ' |
  sed 's/__attribute__((visibility("default")))/__dvc_api__/g' | tr ';{}' '\n\n\n' |
  grep '__dvc_api__' | sed -E 's/.*__dvc_api__[^(]*[^a-zA-Z0-9_(](dvc_[a-zA-Z0-9_]+)[[:space:]]*\(.*/\1/' |
  sort -u >"$T/declared"
nm -D --defined-only "$BUILD/lib/libdvc.so" | awk '$2 == "T" {print $3}' | sort -u >"$T/exported"
extra=$(comm -13 "$T/declared" "$T/exported" | tr '\n' ' ')
missing=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
if [ -z "$extra" ]; then ok; else bad "exported but declared in no public header: $extra"; fi
if [ -z "$missing" ]; then ok; else bad "declared but not exported: $missing"; fi
[ "$(wc -l <"$T/declared")" -gt 100 ] || bad "only $(wc -l <"$T/declared") declarations found: the parser broke"
# sizes are named constants, never magic numbers, in public structs
magic=$(grep -nE '^[^*]*\[[0-9]+\][[:space:]]*;' "$SRC"/include/dvc/*.h || true)
if [ -z "$magic" ]; then ok; else bad "array sized by a bare number: $magic"; fi
tally abi
