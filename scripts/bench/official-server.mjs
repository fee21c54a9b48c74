// The official automerge-repo sync server for the load benchmark: Repo + Node filesystem storage
// + ws, configured like automerge-repo-sync-server (documents are synced to the peers that ask
// for them and never announced), on a loopback port. Prints {"port": N} once listening.
//
//   node scripts/bench/official-server.mjs --dir /tmp/some-dir [--port N]
//
// Run from the repository root; the packages come from tests/interop/node_modules.
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import path from "node:path"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const require = createRequire(path.join(root, "tests/interop/package.json"))
const { Repo } = await import(require.resolve("@automerge/automerge-repo"))
const { WebSocketServerAdapter } = await import(
  require.resolve("@automerge/automerge-repo-network-websocket")
)
const { NodeFSStorageAdapter } = await import(
  require.resolve("@automerge/automerge-repo-storage-nodefs")
)
// ws is CommonJS: its exports arrive as the default export.
const ws = await import(require.resolve("ws"))
const WebSocketServer = ws.WebSocketServer ?? ws.default.WebSocketServer

const argument = name => {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}
const dir = argument("--dir")
const port = Number(argument("--port") ?? 0)
const socket = new WebSocketServer({ host: "127.0.0.1", port })
const adapter = new WebSocketServerAdapter(socket)
new Repo({
  network: [adapter],
  storage: new NodeFSStorageAdapter(dir),
  sharePolicy: async () => false,
})
await new Promise(resolve => socket.on("listening", resolve))
while (adapter.peerId === undefined) {
  await new Promise(resolve => setTimeout(resolve, 10))
}
console.log(JSON.stringify({ port: socket.address().port }))
