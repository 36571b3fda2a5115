"""Writes, from `hnum<TAB|>hex(blob)` lines: bdb.dump (db_dump bytevalue input
for db5.3_load), Packages.db (rpm ndb, after lib/backend/ndb/rpmpkg.c) and
invalid.db (the same with the second blob's magic broken)."""
import struct, sys, zlib

lines = [l.split('|') for l in open(sys.argv[1]).read().split()]
blobs = [(int(h), bytes.fromhex(b)) for h, b in lines]
out = sys.argv[2]

with open(f'{out}/bdb.dump', 'w') as f:
    f.write('VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n')
    f.write(' ' + struct.pack('<I', 0).hex() + '\n')
    f.write(' ' + struct.pack('<I', len(blobs) + 1).hex() + '\n')
    for h, b in blobs:
        f.write(' ' + struct.pack('<I', h).hex() + '\n ' + b.hex() + '\n')
    f.write('DATA=END\n')

PAGE, BLK = 4096, 16
def ndb(break_second):
    slots = bytearray(PAGE)
    struct.pack_into('<IIII', slots, 0, 0x506d7052, 0, 1, 1)  # 'RpmP', version, generation, slot pages
    struct.pack_into('<I', slots, 16, len(blobs) + 1)         # next package index
    data = bytearray()
    off = PAGE // BLK
    for i, (h, b) in enumerate(blobs):
        magic = 0x53626c42 if not (break_second and i == 1) else 0xdeadbeef  # 'BlbS'
        blob = struct.pack('<IIII', magic, h, 1, len(b)) + b
        trailer = struct.pack('<III', zlib.adler32(blob), len(b), 0x45626c42)  # 'BlbE'
        body = blob + bytes((-(len(blob) + len(trailer))) % BLK) + trailer
        cnt = len(body) // BLK
        struct.pack_into('<IIII', slots, 32 + 16 * i, 0x746f6c53, h, off, cnt)  # 'Slot'
        data += body
        off += cnt
    return bytes(slots) + bytes(data)

open(f'{out}/Packages.db', 'wb').write(ndb(False))
open(f'{out}/invalid.db', 'wb').write(ndb(True))
