# Sourced by CI scripts: serve Casus from the debug build, on a private
# cluster of its own, until the script exits; it may be called more than once.
# Sets `casus` (the binary), `data` (its data folder, the log in serve.log)
# and `port` (CASUS_PORT if set, else a free one). Arguments go to `casus serve`.
servers=()
folders=()
start_casus() {
  cargo build --quiet
  casus="${CARGO_TARGET_DIR:-target}/debug/casus"
  data=$(mktemp -d)
  # As root, the private cluster runs as the postgres user, who must reach it.
  chmod 755 "$data"
  port=${CASUS_PORT:-$((20000 + RANDOM % 20000))}
  CASUS_DATA_DIR="$data" CASUS_LISTEN="127.0.0.1:$port" RUST_LOG=warn \
    "$casus" serve "$@" >"$data/serve.log" 2>&1 &
  servers+=("$!")
  folders+=("$data")
  trap stop_casus EXIT
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "casus did not come up:"; tail -n 20 "$data/serve.log"; exit 1
}

stop_casus() {
  for server in "${servers[@]}"; do kill "$server" 2>/dev/null || true; done
  for server in "${servers[@]}"; do wait "$server" 2>/dev/null || true; done
  rm -rf "${folders[@]}"
}
