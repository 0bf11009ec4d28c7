#!/usr/bin/env bash
# make check-targets: the same bytes everywhere. Every example's emitted C (Generated/) and the C of
# seeded random models (qgen-corpus, every scheme) is built with gcc, clang and tcc at -O0, -O2 and
# -Os and for Cortex-M0+, M4, M7 and M55 (arm-none-eabi-gcc, run under qemu-system-arm with
# semihosting); every build must print the same checksum over the same seeded inputs, and for the
# random models the checksum of the Swift integer reference. Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=${QGEN_TARGET_MODELS:-24}

for tool in gcc clang tcc arm-none-eabi-gcc qemu-system-arm; do
    command -v "$tool" >/dev/null || { echo "check-targets: $tool is missing (make setup installs it)"; exit 1; }
done
.build/debug/qgen-corpus "$work/corpus" "$count" > "$work/corpus.log" || { echo "check-targets: qgen-corpus failed"; exit 1; }
echo "check-targets: $count random models: $(cut -d' ' -f2 "$work/corpus.log" | sed 's/(.*//; s/,$//' | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')"

# cpu:board:linker script:RAM bytes of the board (a model whose input, output and arena do not fit,
# with 4 KiB for stack and data, is skipped on that core and the skip is printed).
cores="cortex-m0plus:microbit:link_microbit.ld:16384 cortex-m4:mps2-an386:link_mps.ld:4194304 cortex-m7:mps2-an500:link_mps.ld:4194304 cortex-m55:mps3-an547:link_mps.ld:4194304"
# --float-requant models (<name>_native) use each core's FPU: none on M0+ (libgcc's soft float).
float_abi() {
    case $1 in
        cortex-m0plus) echo "-mfloat-abi=soft" ;;
        cortex-m4) echo "-mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
        cortex-m7) echo "-mfloat-abi=hard -mfpu=fpv5-d16" ;;
        cortex-m55) echo "-mfloat-abi=hard -mfpu=auto" ;;
    esac
}
host_flags="-std=c99 -pedantic -Wall -Wextra -Werror"
arm_flags="-mthumb -std=c99 -ffreestanding -nostdlib -Wall -Wextra -Werror -O2"
passed=0
failed=0

# Harness macros from the emitted header: prefix, input/output types, sizes.
defines() {
    local header=$1 runs=$2 proto prefix macro
    proto=$(grep -E '^int [a-z0-9_]+_run\(' "$header")
    prefix=$(sed -E 's/^int ([a-z0-9_]+)_run\(.*/\1/' <<<"$proto")
    macro=$(tr 'a-z' 'A-Z' <<<"$prefix")
    local in_t out_t
    in_t=$(sed -E 's/.*\(const ([a-z0-9_]+) \*input.*/\1/' <<<"$proto")
    out_t=$(sed -E 's/.*, ([a-z0-9_]+) \*output.*/\1/' <<<"$proto")
    echo "-DMODEL_HEADER=\"$(basename "$header")\" -DRUN=${prefix}_run -DINPUT_T=$in_t -DOUTPUT_T=$out_t" \
         "-DINPUT_SIGNED=$([ "$in_t" = int8_t ] && echo 1 || echo 0) -DINPUT_SIZE=${macro}_INPUT_SIZE" \
         "-DOUTPUT_SIZE=${macro}_OUTPUT_SIZE -DARENA_SIZE=${macro}_ARENA_SIZE -DRUNS=$runs"
}

check_model() {
    local source=$1 expected=$2 name dir out
    local -a flags
    name=$(basename "$source" .c)
    dir=$(dirname "$source")
    read -r -a flags <<<"$(defines "$dir/$name.h" 8)"
    local bad="" skipped=""
    local header_text needed
    header_text=$(cat "$dir/$name.h")
    needed=$(( $(grep -E '_ARENA_SIZE [0-9]+' <<<"$header_text" | awk '{print $3}') \
             + $(grep -E '_INPUT_SIZE [0-9]+' <<<"$header_text" | awk '{print $3}') \
             + $(grep -E '_OUTPUT_SIZE [0-9]+' <<<"$header_text" | awk '{print $3}') + 4096 ))
    for cc in gcc clang tcc; do
        for opt in -O0 -O2 -Os; do
            local exe="$work/$name-$cc$opt"
            # shellcheck disable=SC2086
            if ! $cc $host_flags $opt -I"$dir" -I"$root/Tools/cortex-m" "${flags[@]}" "$source" "$root/Tools/harness/targets_main.c" \
                    "$root/Tools/cortex-m/host_platform.c" -o "$exe" 2> "$exe.log"; then
                bad+=" $cc$opt(build: $(head -c 300 "$exe.log"))"; continue
            fi
            out=$("$exe")
            [ -z "$expected" ] && expected=$out
            [ "$out" = "$expected" ] || bad+=" $cc$opt($out)"
        done
    done
    for spec in $cores; do
        local cpu=${spec%%:*} rest=${spec#*:}
        local board=${rest%%:*} rest2=${rest#*:}
        local ld=${rest2%%:*} ram=${rest2#*:}
        if [ "$needed" -gt "$ram" ]; then
            skipped+=" $cpu (needs $needed bytes of RAM, $board has $ram)"; continue
        fi
        local elf="$work/$name-$cpu.elf" abi=""
        [[ $name == *_native ]] && abi=$(float_abi "$cpu")
        # shellcheck disable=SC2086
        if ! arm-none-eabi-gcc -mcpu="$cpu" $abi $arm_flags -I"$dir" -I"$root/Tools/cortex-m" "${flags[@]}" -T "$root/Tools/cortex-m/$ld" \
                "$root/Tools/cortex-m/startup.c" "$root/Tools/cortex-m/semihost.c" "$source" "$root/Tools/harness/targets_main.c" \
                -lgcc -o "$elf" 2> "$elf.log"; then
            bad+=" $cpu(build: $(head -c 300 "$elf.log"))"; continue
        fi
        out=$(timeout 60 qemu-system-arm -M "$board" -nographic -monitor none -serial none \
                -semihosting-config enable=on,target=native -kernel "$elf" 2>&1 >/dev/null)
        [ "$out" = "$expected" ] || bad+=" $cpu($out)"
    done
    if [ -z "$bad" ]; then
        passed=$((passed + 1))
        echo "PASS $name: gcc/clang/tcc x -O0/-O2/-Os and Cortex-M0+/M4/M7/M55$([[ $name == *_native ]] && echo " (native float32: FPUs, M0+ soft float)") all print '$expected'$([ -n "$skipped" ] && echo "; skipped:$skipped")"
    else
        failed=$((failed + 1))
        echo "FAIL $name: expected '$expected', differing:$bad"
    fi
}

for source in Generated/*/*.c; do
    check_model "$root/$source" ""
done
for dir in "$work"/corpus/*/; do
    name=$(basename "$dir")
    read -r runs sum < "$dir/expected.txt"
    check_model "$dir/$name.c" "runs $runs checksum $sum"
done
echo "check-targets: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
