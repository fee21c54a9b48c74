import type { Money } from "../wasm/dealflow_wasm.js";

/** How many minor digits a currency has (2 for CNY, 0 for JPY), from `Intl`. */
function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", {
        style: "currency",
        currency,
      }).resolvedOptions().maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** `{ minor: 12345, currency: "CNY" }` → `"123.45"`, for an input's value; exact, no floats. */
export function moneyToInput(money: Money | undefined | null): string {
  if (!money) return "";
  const digits = minorDigits(money.currency);
  const minor = BigInt(money.minor);
  const negative = minor < 0n;
  const magnitude = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = (magnitude / scale).toString();
  const fraction = (magnitude % scale).toString().padStart(digits, "0");
  return `${negative ? "-" : ""}${whole}${digits > 0 ? `.${fraction}` : ""}`;
}

/**
 * Parses what a user typed (`"1,234.5"`, `"１２３"` is not accepted) into minor units, exactly;
 * `undefined` when it is not a plain decimal number with at most the currency's minor digits.
 * Range checks stay with core, which refuses amounts out of range.
 */
export function inputToMoney(
  text: string,
  currency: string,
): Money | undefined {
  const digits = minorDigits(currency);
  const match = /^\s*(-?)(\d+)(?:\.(\d*))?\s*$/.exec(text.replaceAll(",", ""));
  if (match === null) return undefined;
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > digits) return undefined;
  const minor =
    BigInt(whole) * 10n ** BigInt(digits) +
    BigInt(fraction.padEnd(digits, "0") || "0");
  const value = Number(sign === "-" ? -minor : minor);
  if (!Number.isSafeInteger(value)) return undefined;
  return { minor: value, currency };
}
