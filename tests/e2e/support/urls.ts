/** The shared server's base URL, set by global setup. */
export function baseUrl(): string {
  const url = process.env.DEALFLOW_URL;
  if (url === undefined) throw new Error("DEALFLOW_URL is set by global setup");
  return url;
}

/** The component playground: one component over sample deals held in the page. */
export function playground(options: {
  component: "board" | "deal" | "forecast" | "tasks" | "summary";
  lang?: "zh-CN" | "en";
  deals?: number;
  deal?: string;
  user?: string;
}): string {
  const params = new URLSearchParams({ component: options.component });
  if (options.lang !== undefined) params.set("lang", options.lang);
  if (options.deals !== undefined) params.set("deals", String(options.deals));
  if (options.deal !== undefined) params.set("deal", options.deal);
  if (options.user !== undefined) params.set("user", options.user);
  return `${baseUrl()}/playground.html?${params}`;
}

