#!/usr/bin/env bash
# Health check of the container image: healthy when GET /health/ready answers 200 (database
# reachable, gateways bound). The JRE image has no curl or wget; bash speaks HTTP/1.0 over
# /dev/tcp well enough for one request.
set -euo pipefail
host="${TANDEM_HTTP_HOST:-127.0.0.1}"
[ "$host" = 0.0.0.0 ] && host=127.0.0.1
port="${TANDEM_HTTP_PORT:-8080}"

exec 3<>"/dev/tcp/$host/$port"
printf 'GET /health/ready HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3
IFS= read -r -t 5 status <&3 || status=""
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "Tandem is not ready: ${status:-no answer} from http://$host:$port/health/ready" >&2; exit 1 ;;
esac
