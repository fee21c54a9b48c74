import type { Money } from "../wasm/dealflow_wasm.js";

/** A UI language: zh-CN is the default. */
export type Locale = "zh-CN" | "en";

/** What formatting needs per locale and currency; building `Intl` formatters is slow. */
interface MoneyFormat {
  digits: number;
  symbol: string;
  grouped: Intl.NumberFormat;
}

const moneyFormats = new Map<string, MoneyFormat>();

function moneyFormat(locale: Locale, currency: string): MoneyFormat {
  const key = `${locale}|${currency}`;
  let cached = moneyFormats.get(key);
  if (cached === undefined) {
    const format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
    });
    cached = {
      digits: format.resolvedOptions().maximumFractionDigits ?? 2,
      symbol:
        format.formatToParts(0).find((part) => part.type === "currency")
          ?.value ?? currency,
      grouped: new Intl.NumberFormat(locale, { useGrouping: true }),
    };
    moneyFormats.set(key, cached);
  }
  return cached;
}

/**
 * Formats integer minor units for display, e.g. `{ minor: 3000000, currency: "CNY" }` →
 * `¥30,000.00`. The number of minor digits comes from `Intl`, never from a float of the amount.
 */
export function formatMoney(money: Money, locale: Locale): string {
  // A board re-renders every card's amount: the formatters are made once per locale and
  // currency (they were about 40 % of a stage drag over 1,000 cards).
  const { digits, symbol, grouped } = moneyFormat(locale, money.currency);
  const scale = 10n ** BigInt(digits);
  const minor = BigInt(money.minor);
  const negative = minor < 0n;
  const magnitude = negative ? -minor : minor;
  const major = magnitude / scale;
  const fraction = (magnitude % scale).toString().padStart(digits, "0");
  const body =
    digits > 0 ? `${grouped.format(major)}.${fraction}` : grouped.format(major);
  return `${negative ? "-" : ""}${symbol}${body}`;
}
