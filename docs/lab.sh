#!/usr/bin/env bash
# Runs one of the lab programs (src/test/java/dev/temperstore/lab/: one-off measurements behind docs/benchmarks.md
# and docs/decisions/, kept out of the product jar) with the test classpath; a qualified class name runs a lab program
# kept in another package for its package-private access:
#   docs/lab.sh FunctionBenchmark --url postgres://postgres@127.0.0.1:5432/postgres
#   JAVA_OPTS=-XX:+UseSerialGC docs/lab.sh BenchmarkSuite --url ...
# Each program prints its own usage when run with --help or without its required options. The load generator that
# users run is not here: it is `java -jar target/temper-store.jar bench` (README, "Load generator").
set -euo pipefail
cd "$(dirname "$0")/.."

program=${1:?usage: docs/lab.sh PROGRAM [ARGS...] (a class of src/test/java/dev/temperstore/lab/)}
shift
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/lab.classpath
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/lab.classpath)" \
  "$([[ $program == *.* ]] && echo "$program" || echo "dev.temperstore.lab.$program")" "$@"
