// The official automerge-repo sync server (Node): Repo + filesystem storage + ws, share policy
// true, on an ephemeral loopback port. Prints {"port": N} once listening.
//
//   node server.mjs --dir /tmp/some-dir
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const dir = process.argv[process.argv.indexOf("--dir") + 1]
const socket = new WebSocketServer({ host: "127.0.0.1", port: 0 })
const adapter = new WebSocketServerAdapter(socket)
new Repo({
  network: [adapter],
  storage: new NodeFSStorageAdapter(dir),
  sharePolicy: async () => true,
})
await new Promise(resolve => socket.on("listening", resolve))
// The repo connects its adapters once its storage id is loaded; connections before that would
// go unanswered, so announce the port only then.
while (adapter.peerId === undefined) {
  await new Promise(resolve => setTimeout(resolve, 10))
}
console.log(JSON.stringify({ port: socket.address().port }))
