/**
 * Calendar dates for display and filters, in the organisation's UTC offset (as core counts
 * them): `YYYY-MM-DD` strings compare in date order, so no date arithmetic happens here.
 */

/** Today's date at `now` (ms) for an organisation `offsetMinutes` east of UTC. */
export function dateAt(now: number, offsetMinutes: number): string {
  return new Date(now + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The filter periods of the board, by the expected close date. */
export type Period = "all" | "month" | "quarter" | "year";

/** `[first, last]` dates of the period containing `today`, or undefined for `all`. */
export function periodRange(
  period: Period,
  today: string,
): [string, string] | undefined {
  const year = today.slice(0, 4);
  const month = Number(today.slice(5, 7));
  const pad = (value: number) => String(value).padStart(2, "0");
  switch (period) {
    case "all":
      return undefined;
    case "month":
      return [`${year}-${pad(month)}-01`, `${year}-${pad(month)}-31`];
    case "quarter": {
      const first = Math.floor((month - 1) / 3) * 3 + 1;
      return [`${year}-${pad(first)}-01`, `${year}-${pad(first + 2)}-31`];
    }
    case "year":
      return [`${year}-01-01`, `${year}-12-31`];
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale and style: constructing `Intl` formatters is slow. */
function dateFormat(
  locale: string,
  style: "date" | "moment",
): Intl.DateTimeFormat {
  const key = `${locale}|${style}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(
      locale,
      style === "date"
        ? { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }
        : { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" },
    );
    dateFormats.set(key, format);
  }
  return format;
}

/** Formats an ISO date for the locale without moving it across time zones. */
export function formatDate(
  date: string | null | undefined,
  locale: string,
): string {
  if (!date) return "—";
  const [year, month, day] = date.split("-").map(Number);
  if (year === undefined || month === undefined || day === undefined)
    return date;
  return dateFormat(locale, "date").format(Date.UTC(year, month - 1, day));
}

/** Formats a moment (ms) for the locale, in the organisation's offset. */
export function formatMoment(
  at: number,
  locale: string,
  offsetMinutes: number,
): string {
  return dateFormat(locale, "moment").format(at + offsetMinutes * 60_000);
}
