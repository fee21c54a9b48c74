import type { Money } from "../wasm/dealflow_wasm.js";

/** A UI language: zh-CN is the default. */
export type Locale = "zh-CN" | "en";

/**
 * Formats integer minor units for display, e.g. `{ minor: 3000000, currency: "CNY" }` →
 * `¥30,000.00`. The number of minor digits comes from `Intl`, never from a float of the amount.
 */
export function formatMoney(money: Money, locale: Locale): string {
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  const minor = BigInt(money.minor);
  const negative = minor < 0n;
  const magnitude = negative ? -minor : minor;
  const major = magnitude / scale;
  const fraction = (magnitude % scale).toString().padStart(digits, "0");
  const parts = format.formatToParts(0);
  const symbol =
    parts.find((part) => part.type === "currency")?.value ?? money.currency;
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(
    major,
  );
  const body = digits > 0 ? `${grouped}.${fraction}` : grouped;
  return `${negative ? "-" : ""}${symbol}${body}`;
}
