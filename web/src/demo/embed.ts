/**
 * The embedding example. A real portal mints a token for its user on its own server and writes
 * it into the attributes; this demo page borrows one from the development login instead
 * (`?user=zhang-wei`, the default).
 */
import "../dealflow.js";

const user = new URLSearchParams(location.search).get("user") ?? "zhang-wei";
const response = await fetch("/api/dev/login", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ user }),
});
const { token } = (await response.json()) as { token: string };

const board = document.querySelector("dealflow-board");
const deal = document.querySelector("dealflow-deal");
for (const element of [board, deal]) {
  element?.setAttribute("server-url", location.origin);
  element?.setAttribute("token", token);
}
board?.addEventListener("dealflow-open-deal", (event) => {
  const { dealId } = (event as CustomEvent<{ dealId: string }>).detail;
  deal?.setAttribute("deal-id", dealId);
});
