/**
 * The bundled entry for embedding (`/dealflow.js`): defines every Dealflow element and connects
 * elements given `server-url` and `token` through the sync client. A portal loads this one
 * module and writes the elements.
 */
import "./components/index.js";
import { connectSession } from "./components/connect.js";
import { setSessionFactory } from "./components/session.js";

setSessionFactory(connectSession);

export * from "./components/index.js";
