#!/usr/bin/env bash
# Build a minimal Node base image without any container registry: this machine's own
# node binary, a shell and a few coreutils, the shared libraries they link, and a few files in
# /etc, imported with `docker import`. Apps bundled into one .mjs file (examples/hello-world) run on it.
#
#   scripts/build-base-image.sh [TAG]     TAG: nom-node-base:local (default)
#   env: NOM_BASE_IMAGE (same as the argument), NOM_NODE (node binary; default: node on PATH)
#
# Idempotent: an image with that tag labelled with the same node version (and the same
# layout revision below) is kept. The last line on stdout is the tag. Messages go to stderr.
set -euo pipefail

die() { echo "build-base-image: error: $*" >&2; exit 1; }
say() { echo "build-base-image: $*" >&2; }

# Bump when the rootfs layout below changes, so existing images get rebuilt.
LAYOUT_REV=3

tag="${1:-${NOM_BASE_IMAGE:-nom-node-base:local}}"
# An explicit tag other than latest: Nomad's docker driver always pulls :latest images,
# and this one exists only locally.
case "${tag##*/}" in # the part after any registry host:port
  *:latest) die "tag '$tag': use a tag other than latest (Nomad would try to pull it)" ;;
  *:*) ;;
  *) die "tag '$tag' has no ':<tag>' part; e.g. nom-node-base:local" ;;
esac

command -v docker >/dev/null ||
  die "docker not found: install it (apt-get install -y docker.io) and start the engine (dockerd > /tmp/dockerd.log 2>&1 &)"
if ! err=$(docker info 2>&1 >/dev/null); then
  die "the docker engine is not reachable (${err##*$'\n'}); start it with 'systemctl start docker', or without systemd: dockerd > /tmp/dockerd.log 2>&1 &  then wait until 'docker info' works"
fi

node_bin="${NOM_NODE:-$(command -v node || true)}"
[ -n "$node_bin" ] || die "node not found on PATH (set NOM_NODE to a node binary)"
node_bin=$(readlink -f "$node_bin")
[ -x "$node_bin" ] || die "$node_bin is not an executable"
node_version=$("$node_bin" -p process.version) || die "$node_bin -p process.version failed"

want="$node_version rev$LAYOUT_REV"
have=$(docker image inspect --format '{{ index .Config.Labels "nom.node-version" }} rev{{ index .Config.Labels "nom.base-layout" }}' "$tag" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
  say "up to date: $tag (node $node_version)"
  echo "$tag"
  exit 0
fi
old_id=$(docker image inspect --format '{{ .Id }}' "$tag" 2>/dev/null || true)

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/nom-base-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{usr/local/bin,etc,tmp,app}
chmod 1777 "$root/tmp"
# The app's directory is writable by its user (nobody), as `nom cp` hot-copies files into it.
chmod 1777 "$root/app"

# node itself, at the PATH location the image declares.
cp "$node_bin" "$root/usr/local/bin/node"

# Every library node links, at the path the loader found it, plus the loader itself
# (the ELF interpreter, e.g. /lib64/ld-linux-x86-64.so.2). ldd prints
#   libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)   a library
#   /lib64/ld-linux-x86-64.so.2 (0x...)                    the loader
#   linux-vdso.so.1 (0x...)                                in the kernel, not a file
# cp -L copies the file a symlink points at (the loader path is a symlink on Debian),
# and copying to the reported path keeps it where the loader's default search looks,
# so no /etc/ld.so.cache is needed.
copy_libs() { # the shared libraries of binary $1
  local ldd_out libs missing
  ldd_out=$(ldd "$1" 2>&1) || true
  if grep -q 'not a dynamic executable' <<<"$ldd_out"; then return 0; fi
  missing=$(grep 'not found' <<<"$ldd_out" || true)
  [ -z "$missing" ] || die "ldd $1 lists libraries it cannot find:"$'\n'"$missing"
  libs=$(awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$ldd_out")
  [ -n "$libs" ] || die "could not read the libraries of $1 from ldd:"$'\n'"$ldd_out"
  while IFS= read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done <<<"$libs"
}
copy_libs "$node_bin"

# A shell and a few tools, so operators can `nom ssh` in and `nom cp` files to it: dash as
# /bin/sh and these coreutils, from this machine, with their libraries.
# The tools go to /usr/bin, where scripts expect them (#!/usr/bin/env node).
mkdir -p "$root/bin" "$root/usr/bin"
sh_bin=$(readlink -f "$(command -v dash || command -v sh)")
cp "$sh_bin" "$root/bin/sh"
copy_libs "$sh_bin"
for tool in cat ls mkdir mv rm wc sha256sum sleep env id; do
  tool_bin=$(command -v "$tool") || die "$tool not found on this machine (coreutils)"
  tool_bin=$(readlink -f "$tool_bin")
  cp "$tool_bin" "$root/usr/bin/$tool"
  copy_libs "$tool_bin"
done

# Users for USER 65534 and for os.userInfo(); nsswitch so name lookups read /etc/hosts
# (Docker mounts hosts and resolv.conf) before DNS, as on a normal system.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
# Optional: node has its own CA list; this bundle serves --use-openssl-ca and other tools.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi

# docker import takes the rootfs plus image config; root owns every file in the image.
say "importing $tag (node $node_version, $(du -sh "$root" | cut -f1))"
tar -C "$root" --numeric-owner --owner=0 --group=0 --sort=name -c . |
  docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'WORKDIR /app' \
    --change 'CMD ["node"]' \
    --change "LABEL nom.node-version=$node_version nom.base-layout=$LAYOUT_REV" \
    --message "nom node base image: node $node_version from $node_bin" \
    - "$tag" >&2 || die "docker import failed (see above)"

# The image must run node and its shell on its own, without the host's files.
got=$(docker run --rm --network none "$tag" node -p process.version 2>&1) ||
  die "$tag was imported but cannot run node: $got"
[ "$got" = "$node_version" ] || die "$tag runs node $got, expected $node_version"
got=$(docker run --rm --network none "$tag" sh -c 'echo data | sha256sum | wc -c' 2>&1) ||
  die "$tag was imported but its shell and tools do not run: $got"

# The image this tag used to name is now untagged; drop it unless something still uses it.
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{ .Id }}' "$tag")" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi

say "built $tag (node $node_version) in $((SECONDS - start))s"
echo "$tag"
