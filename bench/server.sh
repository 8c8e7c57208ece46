# Sourced by the benchmarks: starts the test suite's HTTPS server on
# 127.0.0.1 with a CA made now, and sets $files, $ca and $port.
server_root=$(mktemp -d)
files=$server_root/files
mkdir -p "$files"
coproc SERVER { python3 Tests/ScriptPinKitTests/Fixtures/https_server.py "$server_root"; }
read -r server_info <&"${SERVER[0]}"
ca=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ca"])' "$server_info")
port=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ports"]["trusted"])' "$server_info")
stop_server() { kill "$SERVER_PID" 2>/dev/null; rm -rf "$server_root"; }
