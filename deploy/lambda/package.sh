#!/bin/sh
# Builds medley and packs it with its bootstrap into medley-lambda.zip, ready for a Lambda
# function on the provided.al2023 runtime. Pass a cargo target to cross-build, e.g.
#   deploy/lambda/package.sh aarch64-unknown-linux-gnu
# The binary must run on Amazon Linux 2023 (glibc 2.34): build on a system no newer than that,
# or for a musl target.
set -eu
cd "$(dirname "$0")/../.."
target="${1:-}"
if [ -n "$target" ]; then
    cargo build --release --locked -p medley --target "$target"
    bin="target/$target/release/medley"
else
    cargo build --release --locked -p medley
    bin="target/release/medley"
fi
out="target/lambda"
rm -rf "$out" && mkdir -p "$out"
cp "$bin" "$out/medley"
cp deploy/lambda/bootstrap "$out/bootstrap"
chmod +x "$out/medley" "$out/bootstrap"
# Debug info is for local profiling; a function package wants it small.
strip "$out/medley" 2>/dev/null || true
(cd "$out" && python3 -c '
import zipfile, os
with zipfile.ZipFile("medley-lambda.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name in ("bootstrap", "medley"):
        info = zipfile.ZipInfo.from_file(name)
        info.external_attr = 0o755 << 16
        with open(name, "rb") as f:
            z.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
')
echo "$out/medley-lambda.zip"
