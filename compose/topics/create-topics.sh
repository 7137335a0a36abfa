#!/usr/bin/env bash
# One-shot of the compose file (apache/kafka image): creates the topics given as arguments,
#   NAME:PARTITIONS[:KEY=VALUE,KEY=VALUE...]
# Idempotent: a topic that exists is left as it is. When its partition count differs from the one
# asked for, that is reported and not changed: the teacher service's state is partitioned like
# input-events, so growing it under a running Kafka Streams application needs the steps in
# compose/README.md ("Scaling the teacher").
#
# Environment: BOOTSTRAP_SERVERS (required), REPLICATION_FACTOR (default 1), CLIENT_CONFIG (a client
# properties file for SASL/TLS; used when it sets anything), KAFKA_HOME (default /opt/kafka, the image's).
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS must be set}"
replication="${REPLICATION_FACTOR:-1}"
topics_sh="${KAFKA_HOME:-/opt/kafka}/bin/kafka-topics.sh"

client=(--bootstrap-server "$bootstrap")
# The file is shared with the Java services; a file of comments only means PLAINTEXT, no settings.
if [ -n "${CLIENT_CONFIG:-}" ]; then
  if [ ! -r "$CLIENT_CONFIG" ]; then
    echo "create-topics.sh: cannot read $CLIENT_CONFIG as uid $(id -u) (the image's user); make it readable" >&2
    exit 1
  fi
  if grep -q '^[[:space:]]*[^#![:space:]]' "$CLIENT_CONFIG"; then
    client+=(--command-config "$CLIENT_CONFIG")
  fi
fi

if [ $# -eq 0 ]; then
  echo "usage: create-topics.sh NAME:PARTITIONS[:KEY=VALUE,...] ..." >&2
  exit 2
fi

for spec in "$@"; do
  IFS=: read -r name partitions configs <<<"$spec"
  if [ -z "$name" ] || ! [[ "$partitions" =~ ^[1-9][0-9]*$ ]]; then
    echo "create-topics.sh: bad topic spec '$spec' (NAME:PARTITIONS[:KEY=VALUE,...], partitions >= 1)" >&2
    exit 2
  fi
  args=(--create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor "$replication")
  if [ -n "${configs:-}" ]; then
    IFS=, read -ra pairs <<<"$configs"
    for pair in "${pairs[@]}"; do
      args+=(--config "$pair")
    done
  fi
  "$topics_sh" "${client[@]}" "${args[@]}"
  actual=$("$topics_sh" "${client[@]}" --describe --topic "$name" \
    | sed -n 's/.*PartitionCount:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
  if [ "$actual" != "$partitions" ]; then
    echo "$name exists with $actual partitions, not $partitions: left unchanged (see compose/README.md)"
  else
    echo "$name: $actual partitions"
  fi
done
