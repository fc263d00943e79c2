#!/bin/sh
# Recreates (as root) hello-rootfs.tar.gz, the pinned input of hello.yaml, byte for byte (GNU tar + gzip -n).
set -eu
cd "$(dirname "$0")"
umask 022
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
r=$tmp/rootfs
mkdir -p "$r/etc" "$r/usr/bin" "$r/usr/share/doc/hello" "$r/var/log" "$r/var/cache" "$r/home/user" "$r/root" "$r/tmp"
cat > "$r/etc/os-release" <<'OS'
NAME="Hello Linux"
ID=hello
VERSION_ID=1
OS
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' > "$r/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$r/etc/group"
printf '#!/bin/sh\necho "Hello from a reproducible image"\n' > "$r/usr/bin/hello"
chmod 0755 "$r/usr/bin/hello"
printf 'Hello is an example image for Twinbuild.\n' > "$r/usr/share/doc/hello/README"
ln "$r/usr/share/doc/hello/README" "$r/usr/share/doc/hello/README.link"
ln -s usr/bin "$r/bin"
printf 'export PS1="hello$ "\n' > "$r/home/user/.profile"
chmod 0700 "$r/root"
chmod 1777 "$r/tmp"
# Owners come from the disk (root:root, and 1000:1000 for /home/user): run as root.
chown -R 1000:1000 "$r/home/user"
tar --sort=name --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime=@1690000000 --numeric-owner -C "$r" -cf "$tmp/hello-rootfs.tar" .
gzip -n -9 -c "$tmp/hello-rootfs.tar" > hello-rootfs.tar.gz
sha256sum hello-rootfs.tar.gz
