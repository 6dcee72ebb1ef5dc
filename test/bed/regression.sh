#!/usr/bin/env bash
# Builds PostgreSQL's own regression database once and caches it outside the repository, for
# test/integration/regression.test.ts: the database pg_dump itself is tested against (partitions,
# inheritance, RLS, publications, ICU collations, domains, range types, large objects, ...).
#
# How: Debian's source package of the server in pgkeep-test/postgres:15 is configured minimally and
# only src/test/regress is built (pg_regress and the C modules the tests load). That tree is copied
# into a throwaway container of the image at $dest, and pg_regress runs there against the container's
# own server, in installcheck mode: it creates `regression` itself (UTF8 from template0, locale C;
# the bed's clusters default to SQL_ASCII) and leaves it behind. Some tests differ (diffs are
# expected: no locales, no ICU in the client build); what matters is the database left behind.
#
# Cache (all written as .partial, then renamed; the build is skipped when they exist):
#   regression-15.dump          pg_dump -Fc of `regression`
#   regression-15-globals.sql   the roles its objects are owned by (pg_dumpall --globals-only,
#                               minus the bootstrap superuser, which every cluster already has)
#   regression-15-lib.tar       the C modules at $dest: the dump's C functions and types (widget,
#                               city_budget, ...) name them by that absolute path, and a restore
#                               loads them, so a test extracts this tar into its container at /.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then cache=${PGKEEP_BED_CACHE:-/var/cache/pgkeep-bed}; else cache=${PGKEEP_BED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgkeep-bed}; fi
ver=15
image=pgkeep-test/postgres:$ver
dest=/usr/local/lib/pgkeep-regress
dump=$cache/regression-$ver.dump
globals=$cache/regression-$ver-globals.sql
libtar=$cache/regression-$ver-lib.tar
work=$cache/regression-$ver-src
log=$cache/logs/regression-$ver.log
engines=${PGKEEP_TEST_ENGINES:-docker,podman}
if [[ ",$engines," == *",docker,"* ]]; then cli=(docker -H unix:///var/run/docker.sock); else cli=(podman); fi

say() { printf '[bed] %s\n' "$*" >&2; }
die() { printf '[bed] error: %s\n' "$*" >&2; exit 1; }

[ -s "$dump" ] && [ -s "$globals" ] && [ -s "$libtar" ] && { say "regression database cached ($dump)"; exit 0; }
mkdir -p "$cache/logs" "$work"
: >"$log"
start=$SECONDS
say "building PostgreSQL's regression database (several minutes, once; log: $log)"

apt_quiet() {
  [ "$(id -u)" = 0 ] || die "building the regression database needs '$*' as root: run 'make bed' as root once"
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1 || die "apt-get $* failed (log: $log)"
}

# The same source lines as the binary ones, as deb-src (deb822 or one-line format).
enable_sources() {
  local list=/etc/apt/sources.list.d/pgkeep-bed-src.sources d822=/etc/apt/sources.list.d/debian.sources
  grep -rqsE '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  [ "$(id -u)" = 0 ] || die "no deb-src line in /etc/apt: add one for your mirror, or run 'make bed' as root once"
  if [ -s "$d822" ]; then
    sed 's/^Types:.*/Types: deb-src/' "$d822" >"$list"
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"${list%.sources}.list"
  fi
  apt_quiet update
}

fetch_source() {
  local want dir
  # The exact Debian version the image runs; an image from another build gets the archive's
  # candidate (regress.so only has to match the major version).
  want=$("${cli[@]}" run --rm --entrypoint dpkg-query "$image" -W -f='${Version}' "postgresql-$ver" 2>>"$log" || true)
  dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "postgresql-$ver-*" | head -1)
  [ -n "$dir" ] && { echo "$dir"; return 0; }
  enable_sources
  command -v dpkg-source >/dev/null || apt_quiet install -y --no-install-recommends dpkg-dev
  say "fetching Debian's source of postgresql-$ver ${want:-(candidate)}"
  (cd "$work" && apt-get source -q "postgresql-$ver${want:+=$want}" >>"$log" 2>&1) \
    || (cd "$work" && apt-get source -q "postgresql-$ver" >>"$log" 2>&1) \
    || die "apt-get source postgresql-$ver failed (log: $log)"
  find "$work" -mindepth 1 -maxdepth 1 -type d -name "postgresql-$ver-*" | head -1
}

build_regress() {
  local src=$1 missing=()
  [ -x "$src/src/test/regress/pg_regress" ] && [ -s "$src/src/test/regress/regress.so" ] && return 0
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
  command -v make >/dev/null || missing+=(make)
  command -v bison >/dev/null || missing+=(bison)
  command -v flex >/dev/null || missing+=(flex)
  command -v perl >/dev/null || missing+=(perl)
  [ ${#missing[@]} -eq 0 ] || { say "installing ${missing[*]}"; apt_quiet install -y --no-install-recommends "${missing[@]}"; }
  say "configuring and building src/test/regress"
  (cd "$src" && ./configure --without-readline --without-zlib --without-icu --without-llvm --without-openssl >>"$log" 2>&1) \
    || die "configure failed (log: $log)"
  # The generated headers first (utils/errcodes.h and friends): a parallel make of the regress
  # directory alone can compile libpgport before they exist, and fails by luck of the schedule.
  make -C "$src/src/backend" generated-headers >>"$log" 2>&1 || die "make -C src/backend generated-headers failed (log: $log)"
  make -C "$src/src/test/regress" -j"$(nproc)" >>"$log" 2>&1 || die "make -C src/test/regress failed (log: $log)"
}

src=$(fetch_source)
[ -n "$src" ] || die "no postgresql-$ver source tree in $work (log: $log)"
build_regress "$src"
built=$((SECONDS - start))

name=pgkeep-regress-build-$$-$RANDOM
trap '"${cli[@]}" rm -f -v "$name" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"${cli[@]}" run -d --name "$name" --label pgkeep-test=1 -e POSTGRES_HOST_AUTH_METHOD=trust "$image" >>"$log" 2>&1 \
  || die "could not start a $image container (log: $log)"
in_box() { "${cli[@]}" exec "$@"; }
for _ in $(seq 1 120); do
  in_box "$name" psql -X -U postgres -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 0.5
done
in_box "$name" psql -X -U postgres -Atqc 'select 1' >/dev/null 2>>"$log" || die "PostgreSQL in $name did not start (log: $log)"

# The tree goes to the same path pg_regress will run from: the tests read data files server-side
# (COPY, lo_import) and load the C modules by absolute path.
tar -C "$src/src/test/regress" -cf - . | in_box -i "$name" sh -c "mkdir -p $dest && tar -C $dest -xf - && chown -R postgres:postgres $dest" \
  || die "could not copy the regression tree into $name"
say "running the regression suite in $name (a few minutes)"
rc=0
in_box -u postgres -w "$dest" "$name" ./pg_regress --inputdir=. --bindir="/usr/lib/postgresql/$ver/bin" --dlpath=. \
  --host=/var/run/postgresql --port=5432 --user=postgres --encoding=UTF8 --no-locale \
  --max-concurrent-tests=20 --schedule=parallel_schedule >>"$log" 2>&1 || rc=$?
summary=$(grep -E 'tests (passed|failed)|of [0-9]+ tests' "$log" | tail -1 || true)
say "pg_regress exited $rc: ${summary:-see $log} (diffs are expected here)"

q() { in_box "$name" psql -X -U postgres -d regression -v ON_ERROR_STOP=1 -Atqc "$1"; }
tables=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'" 2>>"$log") \
  || die "pg_regress left no regression database in $name (log: $log)"
[ "$tables" -gt 100 ] || die "the regression database has only $tables tables: the suite did not run (log: $log)"

in_box "$name" pg_dump -U postgres -Fc regression >"$dump.partial" 2>>"$log" || die "pg_dump of regression failed (log: $log)"
# Every cluster has its bootstrap superuser already; the rest are the suite's regress_* roles.
in_box "$name" pg_dumpall -U postgres --globals-only --no-role-passwords 2>>"$log" \
  | grep -vE '^(CREATE ROLE postgres;|ALTER ROLE postgres WITH )' >"$globals.partial" || die "pg_dumpall --globals-only failed (log: $log)"
in_box "$name" sh -c "cd / && tar -cf - ${dest#/}/*.so" >"$libtar.partial" 2>>"$log" || die "could not save the C modules (log: $log)"
mv "$libtar.partial" "$libtar"
mv "$globals.partial" "$globals"
mv "$dump.partial" "$dump"
say "regression database cached: $tables tables, $(du -h "$dump" | cut -f1) dump, built in ${built}s, suite and dump in $((SECONDS - start - built))s"
rm -rf "$work"
