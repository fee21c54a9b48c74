import type {
  ConfigProblem,
  ErrorCode,
  ErrorDetails,
  MoveProblem,
} from "../wasm/dealflow_wasm.js";
import type { Locale } from "./format.js";

export type { ErrorCode, ErrorDetails };

/**
 * An error thrown by the wasm core (name `DealflowError`): a stable `code`, the message in both
 * languages, and for a rejected stage move the checklist of every unmet criterion.
 */
export interface DealflowError extends Error, ErrorDetails {
  readonly name: "DealflowError";
  readonly code: ErrorCode;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly problems?: MoveProblem[];
  readonly configProblems?: ConfigProblem[];
}

/** Whether `error` was thrown by the Dealflow core (narrows it to {@link DealflowError}). */
export function isDealflowError(error: unknown): error is DealflowError {
  return (
    error instanceof Error &&
    error.name === "DealflowError" &&
    typeof (error as Partial<DealflowError>).code === "string"
  );
}

/** The error's message in `locale` (zh-CN by default). */
export function errorMessage(
  error: DealflowError,
  locale: Locale = "zh-CN",
): string {
  return locale === "zh-CN" ? error.messageZh : error.messageEn;
}

/** Codes of the errors the client itself raises (not the core). */
export type ClientErrorCode = "not_loaded" | "unknown_deal" | "storage_failed";

const CLIENT_MESSAGES: Record<ClientErrorCode, { zh: string; en: string }> = {
  not_loaded: {
    zh: "Dealflow 尚未加载：请先等待 DealflowClient.create 完成",
    en: "dealflow is not loaded: await DealflowClient.create first",
  },
  unknown_deal: {
    zh: "本设备上没有这个商机：请先打开或同步它",
    en: "this device holds no such deal: open or sync it first",
  },
  storage_failed: {
    zh: "浏览器本地存储写入失败：请检查存储空间或隐私设置",
    en: "writing to browser storage failed: check free space and privacy settings",
  },
};

/** An error raised by the TypeScript client, with the same shape as the core's. */
export class DealflowClientError extends Error {
  override readonly name = "DealflowClientError";
  readonly messageZh: string;
  readonly messageEn: string;

  constructor(
    readonly code: ClientErrorCode,
    detail?: string,
  ) {
    const text = CLIENT_MESSAGES[code];
    const suffix = detail === undefined ? "" : ` (${detail})`;
    super(text.en + suffix);
    this.messageZh = text.zh + suffix;
    this.messageEn = text.en + suffix;
  }
}
