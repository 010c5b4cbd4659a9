# Sourced (not run) by every script that builds a microcontroller image: firmware, boards, size stubs.
#
# A panic location (and a defmt location) holds the path of its source file, and cargo passes rustc absolute paths
# for crates outside the building workspace: the repository's crates as seen from examples/*, and every crate
# from the registry under CARGO_HOME. So a clone at a longer path, or another CARGO_HOME, linked a few hundred bytes
# more flash, and an image carried the builder's directories. These flags rewrite both prefixes (to /qod and
# /cargo) for the four MCU targets only (cargo's CARGO_TARGET_<TRIPLE>_RUSTFLAGS, which host builds and build
# scripts do not see): the sizes the READMEs quote then come out the same on every machine. A variable the caller
# set already is left alone; paths with whitespace are left unmapped (rustflags from the environment split on it).
_qod_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_qod_cargo_home="${CARGO_HOME:-$HOME/.cargo}"
_qod_cargo_home="$(cd "$_qod_cargo_home" 2>/dev/null && pwd || printf '%s' "$_qod_cargo_home")"
if [[ "$_qod_root$_qod_cargo_home" != *[[:space:]]* ]]; then
    for _qod_t in THUMBV6M_NONE_EABI THUMBV7EM_NONE_EABIHF THUMBV8M_MAIN_NONE_EABIHF RISCV32IMC_UNKNOWN_NONE_ELF; do
        _qod_var="CARGO_TARGET_${_qod_t}_RUSTFLAGS"
        if [ -z "${!_qod_var:-}" ]; then
            export "$_qod_var=--remap-path-prefix=$_qod_root=/qod --remap-path-prefix=$_qod_cargo_home=/cargo"
        fi
    done
fi
unset _qod_root _qod_cargo_home _qod_t _qod_var
