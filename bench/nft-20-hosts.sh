#!/usr/bin/env bash
# Wall time to apply 50 nft_rules to each of 20 real Linux firewalls (network namespaces with
# OpenSSH's sshd and the kernel's nftables), then to re-plan with no changes, and to re-plan after
# drift on one host (issue 7). Needs root. Results: bench/results/nft-20-hosts.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hosts=${HOSTS:-20}
rules=${RULES:-50}
[ "$(id -u)" = 0 ] || { echo "nft-20-hosts: needs root (network namespaces)" >&2; exit 1; }
work=$(mktemp -d /tmp/cem-nft-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for ((h = 1; h <= hosts; h++)); do ip netns del "cemb$h" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The test user the namespace tests use (login shell /bin/sh; nft through sudo -n).
id -u cemnft >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh cemnft
usermod --password '*' cemnft
echo 'cemnft ALL=(root) NOPASSWD: /usr/sbin/nft' > /etc/sudoers.d/cem-tests && chmod 440 /etc/sudoers.d/cem-tests
mkdir -p /run/sshd

(cd "$root" && ./cem version >/dev/null)
ssh-keygen -q -t ed25519 -N "" -f "$work/id"
cp "$work/id.pub" "$work/authorized_keys" && chmod 644 "$work/authorized_keys"
ssh-keygen -q -t ed25519 -N "" -f "$work/hostkey"
: > "$work/known_hosts"
for ((h = 1; h <= hosts; h++)); do
  ns="cemb$h"; addr="169.254.$((100 + h)).2"
  ip netns add "$ns"
  ip link add "cembo$h" type veth peer name "cembi$h"
  ip link set "cembi$h" netns "$ns"
  ip addr add "169.254.$((100 + h)).1/30" dev "cembo$h"; ip link set "cembo$h" up
  ip netns exec "$ns" ip addr add "$addr/30" dev "cembi$h"
  ip netns exec "$ns" ip link set "cembi$h" up
  ip netns exec "$ns" ip link set lo up
  cat > "$work/sshd$h" <<EOF
ListenAddress $addr:22
HostKey $work/hostkey
PidFile $work/sshd$h.pid
UsePAM no
PasswordAuthentication no
AuthorizedKeysFile $work/authorized_keys
StrictModes no
AllowUsers cemnft
LogLevel ERROR
EOF
  ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$work/sshd$h" 2>/dev/null &
  pids+=($!)
  echo "$addr $(cut -d' ' -f1,2 "$work/hostkey.pub")" >> "$work/known_hosts"
done
sleep 1

mkdir -p "$work/site"
{
  echo "version: 1"
  echo "hosts:"
  for ((h = 1; h <= hosts; h++)); do
    echo "  fw$h: {address: 169.254.$((100 + h)).2, os: linux, auth: {scheme: publickey, username: cemnft, keyFile: $work/id}, ssh: {knownHosts: $work/known_hosts, sudo: true}}"
  done
  echo "resources:"
  for ((h = 1; h <= hosts; h++)); do
    for ((r = 0; r < rules; r++)); do
      echo "  - {type: nft_rule, name: fw$h-r$r, host: fw$h, hook: input, protocol: tcp, dport: [$((20000 + r))], saddr: [10.$h.$r.0/24], action: accept, counter: true}"
    done
  done
} > "$work/site/estate.yaml"

timed() { # label, args...
  local label=$1; shift
  local start end code
  start=$(date +%s.%N)
  code=0
  "$root/cem" "$@" >"$work/out" 2>&1 || code=$?
  end=$(date +%s.%N)
  printf '%-34s %6.2f s  exit %d  %s\n' "$label" "$(echo "$end - $start" | bc)" "$code" "$(grep -E '^(Plan|No changes|Apply)' "$work/out" | head -n 1)"
}

{
  echo "nft_rule benchmark: $hosts firewalls (namespaces, sshd, nftables) x $rules rules, $(nproc) cores, $(date -u +%F)"
  timed "apply (create $((hosts * rules)) rules)" apply --auto-approve --no-color "$work/site"
  timed "plan, no changes" plan --detailed-exitcode --no-color "$work/site"
  ip netns exec cemb1 nft flush chain inet cem input
  timed "plan after drift on 1 host" plan --detailed-exitcode --no-color "$work/site"
  timed "apply repairing the drift" apply --auto-approve --no-color "$work/site"
} | tee "$root/bench/results/nft-20-hosts.txt"
