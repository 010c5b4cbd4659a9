#!/usr/bin/env bash
# Publishability of the library crates (issue 12 item 1), run by .ci/run ("package"):
#   - every library crate packages and its package builds on its own (`cargo publish --dry-run`, which verifies each
#     .crate against the others through a local overlay, since none is on crates.io yet);
#   - each package carries README.md, its CHANGELOG.md, LICENSE-MIT and LICENSE-APACHE (the licences identical to
#     the repository's);
#   - the metadata crates.io shows is there (description, license, repository, documentation, readme, keywords,
#     categories) and the licence is the project's;
#   - READMEs (the crates' docs.rs and crates.io front pages) link nothing outside the repository but public URLs;
#   - the root Cargo.toml names no local paths outside the repository.
# Host-only crates (qod-sim, qod-devnet, qod-modem, qod-cli) and the end-to-end tests (qod-tests) are
# `publish = false` and checked to stay so.
#
#   bash scripts/package-check.sh            # everything (about 2 minutes warm)
#   bash scripts/package-check.sh --no-verify # metadata and contents only (seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
LIBS=(qod-core qod-client qod-embassy qod-cellular embassy-net-lan9118)
HOST_ONLY=(qod-sim qod-devnet qod-modem qod-cli qod-tests)
fail=0
bad() { echo "package-check: FAIL: $*" >&2; fail=1; }

meta=$(cargo metadata --format-version 1 --no-deps --locked)
field() { # crate jq-ish field via python
  python3 -c 'import json,sys; m=json.load(sys.stdin); p=[p for p in m["packages"] if p["name"]==sys.argv[1]][0]; v=p.get(sys.argv[2]); v=("any" if v is None else "none" if v==[] else v) if sys.argv[2]=="publish" else v; print("" if v in (None,[],"") else (" ".join(v) if isinstance(v,list) else v))' "$1" "$2" <<<"$meta"
}

for c in "${LIBS[@]}"; do
  for f in description license repository documentation readme keywords categories rust_version; do
    [ -n "$(field "$c" "$f")" ] || bad "$c: no $f in Cargo.toml"
  done
  [ "$(field "$c" license)" = "MIT OR Apache-2.0" ] || bad "$c: license is $(field "$c" license)"
  [ "$(field "$c" publish)" = "any" ] || bad "$c: publish is restricted"
  for l in LICENSE-MIT LICENSE-APACHE; do
    cmp -s "$l" "crates/$c/$l" || bad "crates/$c/$l differs from ./$l (copy it: cp $l crates/$c/)"
  done
  list=$(cargo package -p "$c" --list --locked --allow-dirty 2>/dev/null)
  for f in README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE Cargo.toml src/lib.rs; do
    grep -qx "$f" <<<"$list" || bad "$c: $f is not in the package"
  done
  # A crate README is rendered on crates.io and docs.rs: relative links that leave the crate, local paths and
  # private notes do not resolve there.
  readme="crates/$c/README.md"
  if grep -nE '\]\((\.\./|/)|\.\./shared|/work/|example\.invalid' "$readme"; then
    bad "$readme links outside the repository or to a local path (lines above)"
  fi
done
for c in "${HOST_ONLY[@]}"; do
  [ "$(field "$c" publish)" = "none" ] || bad "$c is a host-only crate: it must stay publish = false"
done
if grep -nE '(/work/|\.\./shared|example\.invalid)' Cargo.toml; then bad "the root Cargo.toml names a local path"; fi
[ "$fail" = 0 ] || exit 1
echo "package-check: metadata, licences and READMEs of ${LIBS[*]}: ok"

[ "${1:-}" = "--no-verify" ] && exit 0
args=()
for c in "${LIBS[@]}"; do args+=(-p "$c"); done
# Builds each packaged crate alone, as crates.io would (default features), against the other packages. Those come
# from a local overlay registry whose extracted sources cargo keeps in $CARGO_HOME/registry/src/-<hash>/ (the hash of
# the target directory) and does not extract again for the same name and version: after an earlier dry run from the
# same directory a crate would be verified against its stale neighbours. Remove those extractions of our crates.
# Cargo also never rebuilds a registry crate it has built once, so the verification builds in a target directory of
# its own, emptied first.
version=$(field qod-core version)
for c in "${LIBS[@]}"; do rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$c-$version"; done
verify_dir="${CARGO_TARGET_DIR:-target}/package-check"
rm -rf "$verify_dir"
CARGO_TARGET_DIR="$verify_dir" cargo publish --dry-run --locked --allow-dirty "${args[@]}"
echo "package-check: cargo publish --dry-run of ${LIBS[*]}: ok"
