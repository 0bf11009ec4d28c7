#!/usr/bin/env bash
# Checks every emitted model in Generated/:
#   1. compiles with gcc, clang and tcc under -std=c99 -pedantic -Wall -Wextra -Werror (gcc and
#      clang also with -Wconversion -Wsign-conversion -Wshadow -Wmissing-prototypes);
#   2. its object file has no undefined symbol (nm -u prints nothing: no libc, no helpers);
#   3. runs clean under -fsanitize=address,undefined (gcc and clang) on random inputs;
#   4. gives identical outputs built by gcc -O0/-O2/-Os, clang -O2 and tcc, and by gcc -O2 with the
#      8-bit multiply-accumulate path (-DQGEN_MAC_8BIT=1, the one x86 VNNI targets select) and with
#      the Arm DSP and Helium paths' order and arithmetic in C (-DQGEN_MAC_DSP=1, -DQGEN_MAC_MVE=1),
#      and, where the CPU has them, with gcc -mavx2 and gcc -mavx512f -mavx512vnni (the x86 output
#      stages and the matrix product of 1x1 convolutions; gcc and clang also compile both with the
#      warnings of step 1).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strict="-std=c99 -pedantic -Wall -Wextra -Werror"
extra="-Wconversion -Wsign-conversion -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wcast-qual -Wvla"
passed=0
failed=0
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
vnni=""
if grep -q " avx512_vnni" /proc/cpuinfo; then vnni="-mavx512f -mavx512vnni"; else echo "check-c: no AVX512-VNNI on this CPU: its path is not run"; fi
avx2=""
if grep -q " avx2" /proc/cpuinfo; then avx2="-mavx2"; else echo "check-c: no AVX2 on this CPU: its path is not run"; fi

for c in Generated/*/*.c; do
    dir=$(dirname "$c")
    name=$(basename "$c" .c)
    upper=$(echo "$name" | tr 'a-z' 'A-Z')
    ok=1
    for cc in gcc clang; do
        $cc $strict $extra -c "$c" -o "$work/$name.$cc.o" || { fail "$c: $cc"; ok=0; }
        if [ -n "$vnni" ]; then $cc $strict $extra $vnni -c "$c" -o "$work/$name.$cc-vnni.o" || { fail "$c: $cc $vnni"; ok=0; }; fi
        if [ -n "$avx2" ]; then $cc $strict $extra $avx2 -c "$c" -o "$work/$name.$cc-avx2.o" || { fail "$c: $cc $avx2"; ok=0; }; fi
    done
    tcc $strict -c "$c" -o "$work/$name.tcc.o" || { fail "$c: tcc"; ok=0; }
    for o in "$work/$name".*.o; do
        [ -f "$o" ] || continue
        undefined=$(nm -u "$o")
        [ -z "$undefined" ] || { fail "$c: undefined symbols in $(basename "$o"): $undefined"; ok=0; }
    done
    defs="-DMODEL_HEADER=\"$name.h\" -DMODEL_RUN=${name}_run -DMODEL_INPUT_SIZE=${upper}_INPUT_SIZE -DMODEL_OUTPUT_SIZE=${upper}_OUTPUT_SIZE -DMODEL_ARENA_SIZE=${upper}_ARENA_SIZE"
    build() { # $1 = label, rest = compiler and flags
        local label=$1; shift
        "$@" -std=c99 -I"$dir" $defs "$c" Tools/harness/run_random.c -o "$work/$name.$label" && "$work/$name.$label" > "$work/$name.$label.out"
    }
    build gcc-O0 gcc -O0 || { fail "$c: gcc -O0 run"; ok=0; }
    build gcc-O2 gcc -O2 || { fail "$c: gcc -O2 run"; ok=0; }
    build gcc-Os gcc -Os || { fail "$c: gcc -Os run"; ok=0; }
    build clang-O2 clang -O2 || { fail "$c: clang -O2 run"; ok=0; }
    build gcc-mac8 gcc -O2 -DQGEN_MAC_8BIT=1 || { fail "$c: gcc -O2 -DQGEN_MAC_8BIT=1 run"; ok=0; }
    build gcc-dsp gcc -O2 -DQGEN_MAC_DSP=1 || { fail "$c: gcc -O2 -DQGEN_MAC_DSP=1 run"; ok=0; }
    build gcc-mve gcc -O2 -DQGEN_MAC_MVE=1 || { fail "$c: gcc -O2 -DQGEN_MAC_MVE=1 run"; ok=0; }
    if [ -n "$vnni" ]; then build gcc-vnni gcc -O2 $vnni || { fail "$c: gcc -O2 $vnni run"; ok=0; }; fi
    if [ -n "$avx2" ]; then build gcc-avx2 gcc -O2 $avx2 || { fail "$c: gcc -O2 $avx2 run"; ok=0; }; fi
    build tcc tcc || { fail "$c: tcc run"; ok=0; }
    build gcc-san gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all || { fail "$c: gcc sanitizers"; ok=0; }
    build clang-san clang -O1 -g -fuse-ld=lld -fsanitize=address,undefined -fno-sanitize-recover=all || { fail "$c: clang sanitizers"; ok=0; }
    for label in gcc-O2 gcc-Os clang-O2 gcc-mac8 gcc-dsp gcc-mve gcc-vnni gcc-avx2 tcc gcc-san clang-san; do
        if [ -f "$work/$name.$label.out" ] && ! cmp -s "$work/$name.gcc-O0.out" "$work/$name.$label.out"; then
            fail "$c: $label output differs from gcc -O0"; ok=0
        fi
    done
    if [ $ok = 1 ]; then
        echo "ok   $c (gcc, clang, tcc; no undefined symbols; sanitizers clean; outputs identical)"
        passed=$((passed + 1))
    fi
done
echo "check-c: $passed passed, $failed failed"
[ $failed = 0 ]
