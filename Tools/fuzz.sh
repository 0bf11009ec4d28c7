#!/usr/bin/env bash
# make fuzz: builds the fuzz targets of Sources/qgen-fuzz with libFuzzer and AddressSanitizer and
# runs each for SECONDS (default 600), starting from the committed seed corpus in Tests/Fuzz/<target>.
# A crash (Swift trap, ASan report), a hang (> 10 s on one input) or running out of memory (> 2 GB)
# fails the run; libFuzzer writes the input that did it to .build-fuzz/artifacts/<target>/.
# New corpus entries accumulate in .build-fuzz/corpus/<target> (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
swift build -c release --scratch-path .build-fuzz --product qgen-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING 2>&1 | grep -v "ld.gold: warning: Cannot export local symbol" | tail -3
binary=.build-fuzz/release/qgen-fuzz
for target in npy spec tflite onnx; do
    mkdir -p ".build-fuzz/corpus/$target" ".build-fuzz/artifacts/$target"
    log=".build-fuzz/fuzz-$target.log"
    if ! QGEN_FUZZ_TARGET="$target" "$binary" ".build-fuzz/corpus/$target" "Tests/Fuzz/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/artifacts/$target/" >"$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz: target $target FAILED (input in .build-fuzz/artifacts/$target/)"
        exit 1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    echo "fuzz: target $target: $runs executions in ${seconds} s, coverage $cov edges, no crash, hang or out-of-memory"
done
