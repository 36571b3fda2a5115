#!/usr/bin/env bash
# Rebuilds the rpm database test data with real tools (Debian: apt-get install
# rpm db5.3-util sqlite3 python3). Three tiny noarch packages are built with
# rpmbuild (customs-hello 1.2.3-4.el9 and its subpackage customs-hello-libs,
# customs-epoch 2:0.9-1.el9) and installed with `rpm --justdb` into:
#   sqlite/rpmdb.sqlite.gz  rpm 4.18's own sqlite database (gzip: 220 KB of mostly empty pages)
#   bdb/Packages.gz         Berkeley DB hash written by db5.3_load from the same header
#                           blobs (key 0 = next instance, keys 1.. = headers, little-endian),
#                           checked by reading it back with rpm's bdb_ro backend
#   ndb/Packages.db.gz      rpm's ndb format (lib/backend/ndb/rpmpkg.c), written here from its
#                           layout because Debian's rpm has no ndb backend
#   invalid/Packages.db.gz  the ndb file with the second blob's magic broken
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/top/{SPECS,SOURCES,BUILD,RPMS,SRPMS} "$here"/{sqlite,bdb,ndb,invalid}
cp "$here"/specs/*.spec "$work/top/SPECS/"
for spec in "$work"/top/SPECS/*.spec; do
  rpmbuild -bb --define "_topdir $work/top" --define 'dist .el9' "$spec" >/dev/null
done
root="$work/root"
rpmq=(rpm --root "$root" --define '_dbpath /var/lib/rpm' --define '_db_backend sqlite')
"${rpmq[@]}" --initdb
"${rpmq[@]}" -i --justdb --nodeps --noscripts "$work"/top/RPMS/noarch/*.rpm 2>/dev/null
db="$root/var/lib/rpm/rpmdb.sqlite"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
gzip -9 -n -c "$db" > "$here/sqlite/rpmdb.sqlite.gz"
sqlite3 "$db" 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum' > "$work/blobs.txt"
python3 "$here/write-dbs.py" "$work/blobs.txt" "$work"
db5.3_load -f "$work/bdb.dump" "$work/Packages"
mkdir -p "$work/bdbroot/var/lib/rpm" && cp "$work/Packages" "$work/bdbroot/var/lib/rpm/"
rpm --root "$work/bdbroot" --define '_dbpath /var/lib/rpm' --define '_db_backend bdb_ro' -qa | sort
gzip -9 -n -c "$work/Packages" > "$here/bdb/Packages.gz"
gzip -9 -n -c "$work/Packages.db" > "$here/ndb/Packages.db.gz"
gzip -9 -n -c "$work/invalid.db" > "$here/invalid/Packages.db.gz"
