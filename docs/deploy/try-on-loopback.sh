#!/usr/bin/env bash
# Tries docs/deploy.md's steps on this machine, on loopback only: builds a newsletter whose url is
# https://example.org/news, publishes dist/web/ with rsync, runs `newsletter serve` behind nginx and then Caddy
# using the very config files in docs/deploy/ (ports, paths and certificates swapped for local ones), and checks
# the archive, the redirects, a sign-up, its confirmation link, the per-client limit through the proxy, a backup
# while serve runs, and the systemd units. Needs nginx, caddy, rsync, openssl, curl (Debian packages).
# Usage: bash docs/deploy/try-on-loopback.sh   (from the repository, after `npm ci`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cli=(node "$repo/bin/newsletter.cjs")
T=$(mktemp -d /tmp/nl-deploy-XXXXXX)
chmod 755 "$T"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; exit 1; }

# 1. A project, built, published to the "static host" (a folder nginx and Caddy serve).
mkdir -p "$T/site" "$T/www/news" "$T/www/letsencrypt"
cp -r "$repo/templates" "$repo/issues" "$repo/newsletter.yaml" "$T/site/"
sed -i 's|^url: .*|url: https://example.org/news|' "$T/site/newsletter.yaml"
printf '\nserver:\n  trust_proxy: 1\n' >> "$T/site/newsletter.yaml"
printf 'NEWSLETTER_SECRET=%s\n' "$(openssl rand -hex 32)" > "$T/site/.env"
chmod 600 "$T/site/.env"
(cd "$T/site" && "${cli[@]}" build >/dev/null)
rsync -a --delete "$T/site/dist/web/" "$T/www/news/"
[ -f "$T/www/news/index.html" ] && ok "build, then rsync -a --delete dist/web/ to the static host" || fail "build, then rsync -a --delete dist/web/ to the static host"

# 2. serve on 127.0.0.1, confirmation emails to the outbox.
port=18787
(cd "$T/site" && exec "${cli[@]}" serve --port "$port" --outbox > "$T/serve.log" 2>&1) &
pids+=($!)
for _ in $(seq 100); do grep -q 'Ctrl-C stops' "$T/serve.log" 2>/dev/null && break; sleep 0.1; done
grep -q "at http://127.0.0.1:$port/news/" "$T/serve.log" || fail "serve did not start: $(cat "$T/serve.log")"
ok "newsletter serve on 127.0.0.1:$port, routing under /news/"

# A certificate for example.org, standing in for Let's Encrypt's.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=example.org -addext subjectAltName=DNS:example.org \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null

# Whether the output of the command after $1 holds the text $1. The whole output is read first, as `sed -n 1p`
# below reads all of its input: under pipefail, `cmd | grep -q` (or `| head -1`) fails at random once the reader
# stops early and cmd dies writing to the closed pipe (curl: 23).
says() {
  local text=$1 out
  shift
  out=$("$@") || return 1
  [[ $out == *"$text"* ]]
}

# Checks through a proxy listening on $1 (https) and $2 (http), with curl trusting $3.
check_proxy() {
  local name=$1 https=$2 http=$3 ca=$4 email=$5 one=$6 other=$7
  local c=(curl -sS --resolve "example.org:$https:127.0.0.1" --resolve "example.org:$http:127.0.0.1" --cacert "$ca")
  says '<form class="signup" method="post" action="/news/subscribe">' "${c[@]}" "https://example.org:$https/news/" \
    && ok "$name: the archive over https, its form posting to /news/subscribe" || fail "$name: the archive over https, its form posting to /news/subscribe"
  [ "$("${c[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "https://example.org:$https/news")" = "301 https://example.org:$https/news/" ] \
    && ok "$name: /news redirects to /news/" || fail "$name: /news redirects to /news/"
  case "$("${c[@]}" -o /dev/null -w '%{http_code}' "http://example.org:$http/news/")" in 301 | 308) ok "$name: http redirects to https" ;; *) fail "$name: http redirects to https" ;; esac
  [ "$("${c[@]}" -o /dev/null -w '%{http_code}' "https://example.org:$https/news/no-such-issue/")" = 404 ] && ok "$name: a missing page is a 404" || fail "$name: a missing page is a 404"
  says 'Check your inbox' "${c[@]}" --interface "$one" -d "email=$email" "https://example.org:$https/news/subscribe" \
    && ok "$name: a sign-up through the proxy" || fail "$name: a sign-up through the proxy"
  says 'pending' env -C "$T/site" "${cli[@]}" subscribers show "$email" && ok "$name: $email is pending" || fail "$name: $email is pending"
  local eml
  for _ in $(seq 100); do eml=$(grep -l "$email" "$T/site/dist/outbox/confirmations/"*.eml 2>/dev/null | sed -n 1p || true); [ -n "$eml" ] && break; sleep 0.1; done
  [ -n "$eml" ] || fail "$name: no confirmation email for $email"
  local link
  link=$(tr -d '\r' < "$eml" | sed -e ':a;/=$/{N;s/=\n//;ba}' | grep -o 'https://example.org/news/confirm/[A-Za-z0-9_.-]*' | sed -n 1p)
  [ -n "$link" ] || fail "$name: no confirmation link in $eml"
  local path=${link#https://example.org}
  says "action=\"$path\"" "${c[@]}" "https://example.org:$https$path" && ok "$name: the emailed link opens its confirm page" || fail "$name: the emailed link opens its confirm page"
  says 'You are subscribed' "${c[@]}" -X POST "https://example.org:$https$path" && ok "$name: confirming through the proxy" || fail "$name: confirming through the proxy"
  says 'active' env -C "$T/site" "${cli[@]}" subscribers show "$email" && ok "$name: $email is active" || fail "$name: $email is active"
  # Per-client limit behind the proxy (server.trust_proxy: 1): 10 sign-ups an address per 10 minutes. A client's
  # own X-Forwarded-For does not get it round the limit, and another client is not held back by the first one.
  local i code
  for i in $(seq 2 10); do "${c[@]}" -o /dev/null --interface "$one" -H "X-Forwarded-For: 10.0.0.$i" -d "email=x$i-$email" "https://example.org:$https/news/subscribe"; done
  code=$("${c[@]}" -o /dev/null -w '%{http_code}' --interface "$one" -H 'X-Forwarded-For: 10.9.9.9' -d "email=y-$email" "https://example.org:$https/news/subscribe")
  [ "$code" = 429 ] && ok "$name: the 11th sign-up from one client is refused (429), a forged X-Forwarded-For notwithstanding" || fail "$name: the 11th sign-up from one client is refused (429), a forged X-Forwarded-For notwithstanding"
  code=$("${c[@]}" -o /dev/null -w '%{http_code}' --interface "$other" -d "email=z-$email" "https://example.org:$https/news/subscribe")
  [ "$code" = 200 ] && ok "$name: another client still signs up (200): serve sees each client, not the proxy" || fail "$name: another client still signs up (200): serve sees each client, not the proxy"
}

# 3. nginx, with docs/deploy/nginx.conf.
mkdir -p "$T/nginx"
sed -e "s|listen 80;|listen 127.0.0.1:18080;|; s|listen 443 ssl http2;|listen 127.0.0.1:18443 ssl http2;|; /listen \[::\]/d" \
  -e "s|/etc/letsencrypt/live/example.org/fullchain.pem|$T/cert.pem|; s|/etc/letsencrypt/live/example.org/privkey.pem|$T/key.pem|" \
  -e "s|/var/www/|$T/www/|g; s|127.0.0.1:8787|127.0.0.1:$port|; s|https://\$host\$request_uri|https://\$host:18443\$request_uri|" \
  "$repo/docs/deploy/nginx.conf" > "$T/nginx/site.conf"
cat > "$T/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $T/nginx/access.log;
  client_body_temp_path $T/nginx/body; proxy_temp_path $T/nginx/proxy; fastcgi_temp_path $T/nginx/fcgi;
  uwsgi_temp_path $T/nginx/uwsgi; scgi_temp_path $T/nginx/scgi;
  include $T/nginx/site.conf;
}
NGINX
nginx -t -q -c "$T/nginx/nginx.conf" -p "$T/nginx" && ok "nginx -t accepts docs/deploy/nginx.conf" || fail "nginx -t accepts docs/deploy/nginx.conf"
nginx -c "$T/nginx/nginx.conf" -p "$T/nginx" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:18080/" && break; sleep 0.1; done
check_proxy nginx 18443 18080 "$T/cert.pem" nginx-reader@example.net 127.0.0.2 127.0.0.3

# 4. Caddy, with docs/deploy/Caddyfile (its own local certificate authority instead of Let's Encrypt).
mkdir -p "$T/caddy"
{
  printf '{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\thttp_port 18081\n\thttps_port 18444\n\tstorage file_system %s\n}\n\n' "$T/caddy/data"
  sed -e "s|/var/www/|$T/www/|g; s|127.0.0.1:8787|127.0.0.1:$port|; s|^example.org {|example.org:18444 {|" "$repo/docs/deploy/Caddyfile"
} > "$T/caddy/Caddyfile"
caddy validate --config "$T/caddy/Caddyfile" --adapter caddyfile >/dev/null 2>&1 && ok "caddy validate accepts docs/deploy/Caddyfile" || fail "caddy validate accepts docs/deploy/Caddyfile"
HOME="$T/caddy" caddy run --config "$T/caddy/Caddyfile" --adapter caddyfile > "$T/caddy/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -f "$T/caddy/data/pki/authorities/local/root.crt" ] && curl -s -o /dev/null --resolve example.org:18444:127.0.0.1 --cacert "$T/caddy/data/pki/authorities/local/root.crt" https://example.org:18444/news/ && break; sleep 0.2; done
check_proxy caddy 18444 18081 "$T/caddy/data/pki/authorities/local/root.crt" caddy-reader@example.net 127.0.0.4 127.0.0.5

# 5. DKIM: the key and record docs/deploy.md makes, a test message signed with it, verified by Debian's python3-dkim
# against that record text (standing in for the DNS lookup).
openssl genrsa -out "$T/site/dkim.pem" 2048 2>/dev/null
record=$(printf 'v=DKIM1; k=rsa; p=%s' "$(openssl rsa -in "$T/site/dkim.pem" -pubout -outform der 2>/dev/null | openssl base64 -A)")
sed -i "s|^from:|sending:\n  dkim:\n    domain: example.org\n    selector: news2026\nfrom:|" "$T/site/newsletter.yaml"
sed -i 's|^  email: .*@.*|  email: newsletter@example.org|' "$T/site/newsletter.yaml"
printf 'DKIM_PRIVATE_KEY_FILE=%s\n' "$T/site/dkim.pem" >> "$T/site/.env"
first=$(ls "$T/site/issues" | grep '\.md$' | sed -n 1p)
(cd "$T/site" && SMTP_URL= "${cli[@]}" send "issues/$first" --test reader@example.net > "$T/test-send.log" 2>&1) || fail "send --test: $(cat "$T/test-send.log")"
signed=$(find "$T/site/dist/outbox" -name '*reader@example.net*.eml' | sed -n 1p)
[ -n "$signed" ] || fail "no test message in the outbox: $(cat "$T/test-send.log")"
/usr/bin/python3 - "$signed" "$record" <<'PY' && ok "DKIM: a message signed with the documented key verifies against the documented TXT record" || fail "DKIM verification"
import sys, dkim
message = open(sys.argv[1], 'rb').read()
record = sys.argv[2].encode()
def dns(name, timeout=5):
    return record if name == b'news2026._domainkey.example.org.' else None
sys.exit(0 if dkim.verify(message, dnsfunc=dns) else 1)
PY

# 6. A backup while serve runs, and a look at it.
(cd "$T/site" && "${cli[@]}" db backup "$T/backup.db") > "$T/backup.log" || fail "db backup: $(cat "$T/backup.log")"
node -e "const D=require(process.argv[1]);const d=new D(process.argv[2],{readonly:true});if(d.pragma('integrity_check',{simple:true})!=='ok')process.exit(1);console.log(d.prepare('select count(*) n from subscribers').get().n)" \
  "$repo/node_modules/better-sqlite3" "$T/backup.db" > "$T/backup.count" || fail "the backup does not pass integrity_check"
[ "$(cat "$T/backup.count")" -ge 2 ] && ok "db backup while serve runs: integrity ok, $(cat "$T/backup.count") subscribers" || fail "the backup lacks the subscribers"
kill -INT "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
(cd "$T/site" && "${cli[@]}" db restore "$T/backup.db") > "$T/restore.log" 2>&1 && ok "db restore of that backup (serve stopped first)" || fail "db restore: $(cat "$T/restore.log")"

# 7. The systemd units parse (this machine runs no systemd, so they are checked, not started).
for unit in newsletter-serve.service newsletter-send@.service newsletter-worker.service; do
  out=$(systemd-analyze verify "$repo/docs/deploy/$unit" 2>&1 | grep -v -e 'Failed to .*bus' -e 'not booted' -e "Command /usr/bin/npx is not executable" -e 'WorkingDirectory' -e 'User' || true)
  [ -z "$out" ] && ok "systemd-analyze verify $unit" || printf 'note %s: %s\n' "$unit" "$out"
done
echo "all steps passed"
