#!/usr/bin/env bash
# show --html in a real browser: headless Chromium loads the page before and after choosing a node (the address
# #node=backward:d_W1 runs the same code as a click), dumps the DOM its script left, and takes a screenshot of each.
# Passes when the script highlighted the node's box, its backward rule and assignment, and the forward line it
# differentiates; the screenshots are left in OUT (default: a new temporary folder) for a person to look at.
# Skipped (exit 0) where Chromium is missing: apt-get install -y chromium (Debian). Not part of .ci/run.
#
#   Tests/Browser/check-show-html.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "skipped: no Chromium on this machine (Debian: apt-get install -y chromium)"
    exit 0
fi
out=${1:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

dotnet build Samples -c Debug -v quiet -nologo >/dev/null
samples=$(ls Samples/bin/Debug/net*/Differentiable.Samples.dll | head -n 1)
dotnet "$samples" show --model flatnet --method Forward --html "$out/flatnet.html" >/dev/null

# --no-sandbox: the sandbox needs user namespaces, which a root shell in a container may not have.
run() { timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,1000 "$@" 2>/dev/null; }
page="file://$out/flatnet.html"
run --screenshot="$out/before.png" "$page" >/dev/null
run --screenshot="$out/after.png" "$page#node=backward:d_W1" >/dev/null
run --dump-dom "$page" >"$out/before.html"
run --dump-dom "$page#node=backward:d_W1" >"$out/after.html"

passed=0 failed=0
check() {   # check DESCRIPTION COMMAND...
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -q -- "$2" "$1"; }
check "nothing is chosen before" hasnt "$out/before.html" 'class="line own"'
check "the d_W1 box is chosen" has "$out/after.html" 'class="node gradient chosen" id="backward:d_W1"'
# The text of the code lines of one class, a line each (the page writes them one after another, each its own span).
lines() { grep -oP "<span class=\"line $1\" id=\"[LS]\d+\">(?:(?!<span class=\"line).)*" "$2" | sed -e 's/<[^>]*>//g' || true; }
check "d_W1's rule is highlighted" bash -c "$(declare -f lines); lines own '$out/after.html' | grep -q 'h1_matmul = x · W1  ⇒  d_W1 = xᵀ · d_h1_matmul'"
check "d_W1's assignment is highlighted" bash -c "$(declare -f lines); lines own '$out/after.html' | grep -q 'var d_W1 = MatMulTransposeA(x, d_h1_matmul);'"
check "the forward line it differentiates is marked" bash -c "$(declare -f lines); lines related '$out/after.html' | grep -q 'var h1_matmul = MatMul(x, W1);'"
check "its source statement is marked" grep -q 'class="line src" id="S4"' "$out/after.html"
for png in before after; do
    check "$png.png is a PNG" bash -c "head -c 4 '$out/$png.png' | od -An -c | grep -q 'P   N   G'"
done
check "the screenshots differ" bash -c "! cmp -s '$out/before.png' '$out/after.png'"

echo "screenshots: $out/before.png $out/after.png"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
