/**
 * The component playground: one component over sample deals held in the page, without a
 * server. `?component=board|deal|forecast|tasks|summary`, `&lang=en`, `&deals=1000`, `&deal=deal-0001`,
 * `&user=zhang-wei`, `&load=<url of saved documents>`. Screenshots and the performance script
 * drive it.
 */
import "../components/index.js";
import "../components/dealflow-summary.js";
import { MemorySession } from "../components/memory-session.js";
import { SAMPLE_USERS, fillSampleDeals, sampleTargets } from "./sample.js";

const params = new URLSearchParams(location.search);
const component = params.get("component") ?? "board";
const lang = params.get("lang") ?? "zh-CN";
const count = Number(params.get("deals") ?? "24");
const userId = params.get("user") ?? "wang-fang";
const me = SAMPLE_USERS.find((each) => each.id === userId) ?? SAMPLE_USERS[1];

declare global {
  interface Window {
    dealflowPlayground?: { session: MemorySession; filledMs: number };
  }
}

if (me !== undefined) {
  const session = new MemorySession({ user: me, users: SAMPLE_USERS });
  await session.ready;
  const started = performance.now();
  // A fixed "now" keeps screenshots identical from run to run unless asked otherwise.
  const now = params.has("now") ? Number(params.get("now")) : Date.now();
  const load = params.get("load");
  if (load !== null) {
    // Saved documents (`[[id, base64 of DealDoc.save()], …]`), as the perf script serves them.
    const saved = (await (await fetch(load)).json()) as [string, string][];
    for (const [id, base64] of saved)
      session.addDeal(
        id,
        Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)),
      );
  } else fillSampleDeals(session, count, now);
  session.targets = sampleTargets(now);
  window.dealflowPlayground = {
    session,
    filledMs: performance.now() - started,
  };
  document.documentElement.lang = lang;
  const element = document.createElement(`dealflow-${component}`);
  element.setAttribute("lang", lang);
  if (component === "deal")
    element.setAttribute("deal-id", params.get("deal") ?? "deal-0001");
  Object.assign(element, { session });
  document.getElementById("stage")?.append(element);
}
