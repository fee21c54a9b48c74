import type { Page } from "@playwright/test";

// A full disk, in the page: every IndexedDB read-write transaction throws, as the browser does
// when the origin's quota is exhausted, until the writes are restored. Read-only transactions
// still work, so what was stored stays readable.

/** Makes every IndexedDB write in `page` fail until {@link restoreIndexedDbWrites}. */
export async function failIndexedDbWrites(page: Page): Promise<void> {
  await page.evaluate(() => {
    const transaction = IDBDatabase.prototype.transaction;
    (window as unknown as FullDisk).restoreIndexedDbWrites = () => {
      IDBDatabase.prototype.transaction = transaction;
    };
    IDBDatabase.prototype.transaction = function (
      this: IDBDatabase,
      ...args: Parameters<typeof transaction>
    ) {
      if (args[1] === "readwrite") throw new DOMException("disk full", "QuotaExceededError");
      return transaction.apply(this, args);
    } as typeof transaction;
  });
}

/** Lets IndexedDB writes in `page` succeed again. */
export async function restoreIndexedDbWrites(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as FullDisk).restoreIndexedDbWrites?.());
}

interface FullDisk {
  restoreIndexedDbWrites?: () => void;
}
