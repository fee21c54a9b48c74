/**
 * The in-page drag both board scripts measure with (`board.perf.ts`, `client-board.perf.ts`).
 * Install it in a context with `context.addInitScript(installDrag)`, before the page's scripts
 * (as the client board's probe is); then `window.dealflowDrag(board, dealId, stage)` in the page.
 */

/**
 * Drags the card of `dealId` onto the column of `stage` as the browser dispatches a real drag
 * (`dragstart` on the card, `dragover` and `drop` on the column, one `DataTransfer`) and resolves
 * to the board's own figure, drop → re-rendered board (ms), from its `dealflow-moved` event;
 * rejects when the card or the column is missing, or when the board has not re-rendered within
 * 10 s. Playwright's `dragTo` drives the same handlers, but its locators walk the shadow DOM of
 * every card before and after each drop, and that harness work is then counted in the next drop
 * (see BENCHMARKS.md).
 */
export type DragInPage = (board: Element, dealId: string, stage: string) => Promise<number>;

/**
 * Puts {@link DragInPage} on `window.dealflowDrag`. An init script is sent to the page as its
 * source text, so this function uses nothing from outside itself.
 */
export function installDrag(): void {
  const drag: DragInPage = (board, dealId, stage) =>
    new Promise<number>((resolve, reject) => {
      const root = board.shadowRoot;
      const card = root?.querySelector<HTMLElement>(`[data-deal="${dealId}"]`);
      const column = root?.querySelector<HTMLElement>(`[data-stage="${stage}"]`);
      if (!card || !column) {
        reject(new Error(`no card ${dealId} or column ${stage}`));
        return;
      }
      const timer = setTimeout(() => reject(new Error(`${dealId} → ${stage} did not re-render in 10 s`)), 10_000);
      board.addEventListener(
        "dealflow-moved",
        (event) => {
          clearTimeout(timer);
          resolve((event as CustomEvent<{ milliseconds: number }>).detail.milliseconds);
        },
        { once: true },
      );
      const transfer = new DataTransfer();
      const options = { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer };
      card.dispatchEvent(new DragEvent("dragstart", options));
      column.dispatchEvent(new DragEvent("dragover", options));
      column.dispatchEvent(new DragEvent("drop", options));
    });
  (window as unknown as { dealflowDrag: DragInPage }).dealflowDrag = drag;
}
