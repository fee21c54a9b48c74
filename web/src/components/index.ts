/**
 * Every Dealflow custom element. Importing this module defines `<dealflow-board>`,
 * `<dealflow-deal>`, `<dealflow-forecast>`, `<dealflow-tasks>`, `<dealflow-leads>` and
 * `<dealflow-quotes>`.
 */
export { DealflowBoard } from "./dealflow-board.js";
export {
  setSessionFactory,
  sessionFor,
  type DealflowSession,
  type SessionFactory,
} from "./session.js";
export { MemorySession } from "./memory-session.js";
export { DealflowDeal } from "./dealflow-deal.js";
export { DealflowForecast } from "./dealflow-forecast.js";
export { DealflowTasks } from "./dealflow-tasks.js";
export { DealflowLeads } from "./dealflow-leads.js";
export { DealflowQuotes } from "./dealflow-quotes.js";
export {
  ServerApi,
  ServerRefusal,
  type LeadRecord,
  type PoolRecord,
  type QuoteRecord,
  type QuoteWithTotals,
} from "./server-api.js";
