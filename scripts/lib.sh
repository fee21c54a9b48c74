# Shared helpers for the run and CI scripts. Every `ensure_*` is idempotent: it checks first and
# installs only what is missing, so repeated runs are fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Where cargo writes artefacts: honours CARGO_TARGET_DIR (e.g. a target dir shared between
# worktrees), else the repository's own target/.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export TARGET_DIR
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\n== %s\n' "$*" >&2; }

apt_install() {
  # Debian packages; the machine runs as root. One `apt-get update` per script run at most.
  if [ -z "${DEALFLOW_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export DEALFLOW_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The CLI must match the wasm-bindgen crate exactly; the version comes from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen_cli() {
  local want have
  want="$(wasm_bindgen_version)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (found '${have:-none}')"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# wasm-opt comes from npm's binaryen: Debian's (version 108) predates the reference-types
# handling that wasm-bindgen's output needs and produces a module that fails to instantiate.
WASM_OPT="$ROOT/web/node_modules/.bin/wasm-opt"
ensure_wasm_opt() {
  ensure_npm_packages "$ROOT/web"
}

# Chromium plus a CJK font (without one every Chinese label renders as empty boxes) and
# Chromium's WebDriver, through which wasm-bindgen-test-runner drives the browser tests.
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
    || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
    log "installing Debian's Chromium, its WebDriver and CJK fonts"
    apt_install chromium chromium-driver fonts-noto-cjk
  fi
}

# npm install only when package.json or the lock file changed since the last install.
# (`npm ci` rejects lock files made on this machine: the CBOR library's optional native add-ons
# are missing from the registry.)
ensure_npm_packages() {
  local dir="$1" stamp want
  stamp="$dir/node_modules/.install-stamp"
  want="$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm install in ${dir#"$ROOT"/}"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    want="$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)"
    echo "$want" >"$stamp"
  fi
}

# Builds the two browser modules from the one `wasm/` crate and writes their JS glue and
# optimised wasm into web/src/wasm: `dealflow_wasm` (the main module: documents, the sync client,
# deal editing; cargo's default features) and `dealflow_compute` (the compute module the
# forecast worker loads: forecasts, ranges, targets, funnels; no Automerge).
build_wasm() {
  ensure_wasm_target
  ensure_wasm_bindgen_cli
  ensure_wasm_opt
  log "building the wasm modules (main and compute)"
  build_wasm_module dealflow_wasm
  build_wasm_module dealflow_compute --no-default-features --features compute
}

# build_wasm_module NAME [CARGO FEATURE FLAGS...]: one module, optimised with wasm-opt.
build_wasm_module() {
  local name="$1" out="$ROOT/web/src/wasm"
  shift
  cargo build --quiet -p dealflow-wasm --target wasm32-unknown-unknown --profile wasm-release "$@"
  mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" \
    "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/dealflow_wasm.wasm"
  # Two -Oz pipelines: the second finds about 4 KB (gzipped) more in the main module, most of
  # what `--converge` finds in a third of its time. The producers and target-features custom
  # sections are for tools, not for the browser.
  "$WASM_OPT" -Oz -Oz --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
}

build_web() {
  ensure_npm_packages "$ROOT/web"
  log "building the web components and demo"
  (cd "$ROOT/web" && npm run --silent build)
  log "building the browser library (web/dist/lib)"
  (cd "$ROOT/web" && npm run --silent build:lib)
}
