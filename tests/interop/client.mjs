// One official automerge-repo JS client (Node), driven by the Rust interop test.
//
//   node client.mjs --url ws://127.0.0.1:PORT/sync?token=JWT --create TITLE --key a --wait a,b,rust
//   node client.mjs --url ws://... --find automerge:ID --key b --wait a,b,rust
//
// Prints one JSON line {"url": ...} once the document exists here, then {"final": <doc>} once
// every key in --wait is present, and exits 0. Exits 1 after --timeout ms.
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, index, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[index + 1]])
    return pairs
  }, []),
)
const timeout = Number(args.timeout ?? 20000)
setTimeout(() => {
  console.error(`timed out after ${timeout} ms`)
  process.exit(1)
}, timeout).unref()

const repo = new Repo({ network: [new WebSocketClientAdapter(args.url)] })
let handle
if (args.create) {
  handle = repo.create({ type: "deal", schemaVersion: 1, id: "deal-interop", title: args.create })
} else {
  handle = await repo.find(args.find)
}
console.log(JSON.stringify({ url: handle.url }))
handle.change(doc => {
  doc[args.key] = `from ${args.key}`
})
const wanted = (args.wait ?? "").split(",").filter(Boolean)
for (;;) {
  const doc = handle.doc()
  if (wanted.every(key => doc && key in doc)) break
  await new Promise(resolve => setTimeout(resolve, 50))
}
// Let the last sync messages go out before leaving.
await new Promise(resolve => setTimeout(resolve, 500))
// Automerge reads unsigned integers (as our Rust client writes them) as BigInt.
const plain = (_key, value) => (typeof value === "bigint" ? Number(value) : value)
console.log(JSON.stringify({ final: handle.doc() }, plain))
process.exit(0)
