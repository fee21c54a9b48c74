/**
 * How the demo connects a component's `server-url` and `token` to a session. Until the sync
 * client lands this is a page-local session for the signed-in user (no server data yet).
 */
import { MemorySession } from "./memory-session.js";
import type { DealflowSession, SessionUser } from "./session.js";

export function connectSession(
  serverUrl: string,
  token: string,
): DealflowSession {
  const headers = { authorization: `Bearer ${token}` };
  const me = fetch(new URL("/api/me", serverUrl), { headers }).then(
    (response) => response.json() as Promise<SessionUser>,
  );
  const placeholder: SessionUser = {
    id: "",
    name: { zh: "", en: "" },
    role: "rep",
  };
  const session = new MemorySession({ user: placeholder });
  void me.then((user) => Object.assign(session.user, user));
  return session;
}
