/**
 * The default way elements connect with `server-url` and `token`: the sync client
 * (`DealflowClient`), one IndexedDB database per user, adapted to the components' session.
 * The signed-in user comes from `/api/me` and is remembered for offline starts; the deals are
 * those the relay lists for the user (a client never asks for documents it was not given).
 */
import { DealflowClient } from "../lib/index.js";
import type { ForecastTarget } from "../wasm/dealflow_wasm.js";
import { ClientSession, type SyncClient } from "./client-session.js";
import { ServerApi } from "./server-api.js";
import type { DealflowSession, SessionUser } from "./session.js";

const ME_KEY = "dealflow-me:";
const TARGETS_KEY = "dealflow-targets:";

/** A name as the server's JSON carries it (core's `LocalizedText` is `{ "zh-CN", en }`). */
interface ServerText {
  "zh-CN": string;
  en: string;
}

/** A user as `/api/me` and `/api/dev/users` describe them. */
export interface ServerUser {
  id: string;
  name: ServerText;
  role: SessionUser["role"];
  team?: { id: string; name: ServerText } | null;
}

/** The server's user in the components' shape (`{ zh, en }` texts, as the wasm types have). */
export function fromServer(user: ServerUser): SessionUser {
  const text = (value: ServerText) => ({ zh: value["zh-CN"], en: value.en });
  return {
    id: user.id,
    name: text(user.name),
    role: user.role,
    team: user.team ? { id: user.team.id, name: text(user.team.name) } : null,
  };
}

async function whoAmI(serverUrl: string, token: string): Promise<SessionUser> {
  const key = `${ME_KEY}${token.slice(-16)}`;
  try {
    const response = await fetch(new URL("/api/me", serverUrl), {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`GET /api/me: ${response.status}`);
    const user = fromServer((await response.json()) as ServerUser);
    localStorage.setItem(key, JSON.stringify(user));
    return user;
  } catch (error) {
    // Offline: the last answer for this token will do, since it only names the user.
    const remembered = localStorage.getItem(key);
    if (remembered === null) throw error;
    return JSON.parse(remembered) as SessionUser;
  }
}

/** Users to show names for: the whole demo directory when the dev login is on, else just me. */
async function directory(
  serverUrl: string,
  me: SessionUser,
): Promise<SessionUser[]> {
  try {
    const response = await fetch(new URL("/api/dev/users", serverUrl));
    if (!response.ok) return [me];
    return ((await response.json()) as { users: ServerUser[] }).users.map(
      fromServer,
    );
  } catch {
    return [me];
  }
}

/** The ids of the deals the relay lets this user see (`GET /api/documents?kind=deal`). */
async function visibleDeals(
  serverUrl: string,
  token: string,
): Promise<string[]> {
  const url = new URL("/api/documents", serverUrl);
  url.searchParams.set("kind", "deal");
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) return [];
  const body = (await response.json()) as { documents?: { id: string }[] };
  return (body.documents ?? []).map((document) => document.id);
}

/**
 * The user's monthly, quarterly and yearly targets (`GET /api/targets`), remembered per user for
 * offline starts; none when the server has none or cannot be reached the first time.
 */
async function loadTargets(
  serverUrl: string,
  token: string,
  userId: string,
): Promise<ForecastTarget[]> {
  const key = `${TARGETS_KEY}${userId}`;
  try {
    const kinds = await Promise.all(
      (["month", "quarter", "year"] as const).map(async (kind) => {
        const url = new URL("/api/targets", serverUrl);
        url.searchParams.set("periodKind", kind);
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok)
          throw new Error(`GET /api/targets: ${response.status}`);
        return ((await response.json()) as { targets: ForecastTarget[] })
          .targets;
      }),
    );
    const targets = kinds.flat();
    localStorage.setItem(key, JSON.stringify(targets));
    return targets;
  } catch {
    const remembered = localStorage.getItem(key);
    return remembered === null
      ? []
      : (JSON.parse(remembered) as ForecastTarget[]);
  }
}

function syncUrl(serverUrl: string): string {
  const url = new URL("/sync", serverUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export function connectSession(
  serverUrl: string,
  token: string,
): DealflowSession {
  const start = (async () => {
    const user = await whoAmI(serverUrl, token);
    // The directory is fetched while the deals are opened from IndexedDB, not after.
    const users = directory(serverUrl, user);
    const client = await DealflowClient.create({
      user: { id: user.id, name: user.name.zh },
      databaseName: `dealflow-${user.id}`,
    });
    client.connect(syncUrl(serverUrl), token);
    // Ask for every visible deal; they arrive (and render) as they sync.
    void visibleDeals(serverUrl, token)
      .then((ids) => client.openDeals(ids))
      .catch(() => undefined);
    const synced: SyncClient = client;
    return { client: synced, user, users: await users };
  })();
  const session = new ClientSession(start);
  session.api = new ServerApi(serverUrl, token);
  void start
    .then(({ user }) => loadTargets(serverUrl, token, user.id))
    .then((targets) => session.setTargets(targets))
    .catch(() => undefined);
  return session;
}
