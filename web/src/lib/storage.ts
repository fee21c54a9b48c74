import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import type { StorageWrite, StoredChunk } from "../wasm/dealflow_wasm.js";

interface ChunkSchema extends DBSchema {
  chunks: { key: string[]; value: Uint8Array };
}

const STORE = "chunks";

/**
 * Document chunks in IndexedDB, keyed like automerge-repo's storage:
 * `[documentId, "snapshot" | "incremental", hash]`. IndexedDB orders array keys part by part, so
 * one document's chunks are the key range from `[id]` to `[id, []]` (an array sorts after every
 * string).
 */
export class ChunkStore {
  private constructor(private readonly db: IDBPDatabase<ChunkSchema>) {}

  /** Opens (or creates) the database `name`. */
  static async open(name: string): Promise<ChunkStore> {
    const db = await openDB<ChunkSchema>(name, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
    });
    return new ChunkStore(db);
  }

  /** Every stored chunk, grouped by document id, in one read transaction. */
  async loadAll(): Promise<Map<string, StoredChunk[]>> {
    const tx = this.db.transaction(STORE, "readonly");
    const [keys, values] = await Promise.all([
      tx.store.getAllKeys(),
      tx.store.getAll(),
      tx.done,
    ]);
    const documents = new Map<string, StoredChunk[]>();
    keys.forEach((key, index) => {
      const bytes = values[index];
      const documentId = key[0];
      if (bytes === undefined || documentId === undefined) return;
      const chunks = documents.get(documentId) ?? [];
      chunks.push({ key, bytes });
      documents.set(documentId, chunks);
    });
    return documents;
  }

  /**
   * Every stored chunk in key order (so a document's chunks are adjacent), read with one
   * `getAll` and one `getAllKeys` in one read transaction: what `Repo.loadMany` takes.
   */
  async loadChunks(): Promise<StoredChunk[]> {
    const tx = this.db.transaction(STORE, "readonly");
    const [keys, values] = await Promise.all([
      tx.store.getAllKeys(),
      tx.store.getAll(),
      tx.done,
    ]);
    return keys.flatMap((key, index) => {
      const bytes = values[index];
      return bytes === undefined ? [] : [{ key, bytes }];
    });
  }

  /** The chunks of one document. */
  async load(documentId: string): Promise<StoredChunk[]> {
    const range = IDBKeyRange.bound([documentId], [documentId, []]);
    const tx = this.db.transaction(STORE, "readonly");
    const [keys, values] = await Promise.all([
      tx.store.getAllKeys(range),
      tx.store.getAll(range),
      tx.done,
    ]);
    return keys.flatMap((key, index) => {
      const bytes = values[index];
      return bytes === undefined ? [] : [{ key, bytes }];
    });
  }

  /**
   * Executes a step's writes in order in one transaction and resolves once it has committed
   * durably (`durability: "strict"`), so a change is on disk before it is sent.
   */
  async apply(writes: StorageWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const tx = this.db.transaction(STORE, "readwrite", {
      durability: "strict",
    });
    for (const write of writes) {
      if (write.kind === "put") void tx.store.put(write.bytes, write.key);
      else void tx.store.delete(write.key);
    }
    await tx.done;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
