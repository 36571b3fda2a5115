#!/usr/bin/env bash
# A small real ELF executable (gcc) carrying a cargo-auditable `.dep-v0`
# section (zlib-compressed JSON, added with objcopy as cargo-auditable's
# linker step does): no Rust toolchain or crates download needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main(void){return 0;}\n' > "$work/m.c"
gcc -Os -s -o "$work/m" "$work/m.c"
python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1],"rb").read(), 9))' \
  "$here/dep-v0.json" > "$work/dep-v0.z"
objcopy --add-section .dep-v0="$work/dep-v0.z" --set-section-flags .dep-v0=noload,readonly "$work/m" "$here/auditable.elf"
printf 'not zlib' > "$work/bad.z"
objcopy --add-section .dep-v0="$work/bad.z" "$work/m" "$here/corrupt.elf"
cp "$work/m" "$here/plain.elf"
