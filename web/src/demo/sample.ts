/**
 * Sample deals for the component playground, the screenshots and the performance script: a
 * deterministic sequence of deals walked through the new-business pipeline with the edits its
 * criteria ask for, all made through core (`DealDoc` edits and `moveStage`). The seeded server
 * demo has its own, richer data set; this one needs no server.
 */
import type { SessionUser } from "../components/session.js";
import type { MemorySession } from "../components/memory-session.js";
import type { ForecastTarget } from "../wasm/dealflow_wasm.js";

/** The demo organisation's people, as the server's directory seeds them. */
export const SAMPLE_USERS: SessionUser[] = [
  user("chen-jing", "陈静", "Chen Jing", "admin", "sales", "销售部", "Sales"),
  user(
    "wang-fang",
    "王芳",
    "Wang Fang",
    "manager",
    "east",
    "华东区",
    "East China",
  ),
  user(
    "li-qiang",
    "李强",
    "Li Qiang",
    "manager",
    "south",
    "华南区",
    "South China",
  ),
  user("zhang-wei", "张伟", "Zhang Wei", "rep", "east", "华东区", "East China"),
  user("liu-yang", "刘洋", "Liu Yang", "rep", "east", "华东区", "East China"),
  user("zhao-min", "赵敏", "Zhao Min", "rep", "south", "华南区", "South China"),
  user(
    "huang-lei",
    "黄磊",
    "Huang Lei",
    "rep",
    "south",
    "华南区",
    "South China",
  ),
];

function user(
  id: string,
  zh: string,
  en: string,
  role: SessionUser["role"],
  team: string,
  teamZh: string,
  teamEn: string,
): SessionUser {
  return {
    id,
    name: { zh, en },
    role,
    team: { id: team, name: { zh: teamZh, en: teamEn } },
  };
}

const ACCOUNTS = [
  ["华东制造集团", "制造业"],
  ["江南银行", "金融"],
  ["星海物流", "物流"],
  ["申城医疗", "医疗"],
  ["云帆教育", "教育"],
  ["南粤零售", "零售"],
  ["鹏程电子", "电子"],
  ["珠江能源", "能源"],
] as const;

const PRODUCTS = [
  "智能客服平台",
  "数据中台",
  "CRM 升级",
  "供应链协同",
  "营销云",
];

/** A small deterministic generator (mulberry32), so every run shows the same deals. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;

function isoDate(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Sample team quotas for the playground's forecast: ¥`monthlyYuan` a month from a year before
 * `now` to six months after, and each quarter's as the sum of its months (what a server's
 * `/api/targets` would give).
 */
export function sampleTargets(
  now: number,
  monthlyYuan = 3_000_000,
): ForecastTarget[] {
  const [year, month] = isoDate(now).split("-").map(Number) as [number, number];
  const months: string[] = [];
  for (let delta = -12; delta <= 6; delta += 1) {
    const index = year * 12 + (month - 1) + delta;
    months.push(
      `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`,
    );
  }
  const amount = (yuan: number) => ({
    minor: yuan * 100,
    currency: "CNY" as const,
  });
  const monthly = months.map((period) => ({
    group: { kind: "total" as const },
    period,
    amount: amount(monthlyYuan),
  }));
  const quarters = new Map<string, number>();
  for (const period of months) {
    const [each, number] = period.split("-").map(Number) as [number, number];
    const quarter = `${each}-Q${Math.floor((number - 1) / 3) + 1}`;
    quarters.set(quarter, (quarters.get(quarter) ?? 0) + 1);
  }
  const quarterly = [...quarters]
    .filter(([, count]) => count === 3)
    .map(([period]) => ({
      group: { kind: "total" as const },
      period,
      amount: amount(monthlyYuan * 3),
    }));
  return [...monthly, ...quarterly];
}

/**
 * Opens `count` deals in `session` (ids `deal-0001`, …), spread over the four stages, owners and
 * next-step states, as of `now`.
 */
export function fillSampleDeals(
  session: MemorySession,
  count: number,
  now: number = Date.now(),
  seed = 42,
): void {
  const random = generator(seed);
  const reps = SAMPLE_USERS.filter((each) => each.role === "rep");
  for (let index = 1; index <= count; index += 1) {
    const id = `deal-${String(index).padStart(4, "0")}`;
    const rep = reps[Math.floor(random() * reps.length)] ?? reps[0];
    const [accountName, industry] =
      ACCOUNTS[Math.floor(random() * ACCOUNTS.length)] ?? ACCOUNTS[0];
    const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)] ?? "";
    const amount = (Math.floor(random() * 90) + 10) * 10_000_00;
    const opened = now - Math.floor(random() * 60 + 5) * DAY;
    const close = isoDate(now + Math.floor(random() * 150 - 20) * DAY);
    if (rep === undefined) return;
    session.createDeal(
      {
        id,
        title: `${accountName} · ${product}`,
        account: { name: accountName },
        amount: { minor: amount, currency: "CNY" },
        expectedClose: close,
        owner: rep.id,
        team: rep.team?.id,
      },
      opened,
    );
    const depth = Math.floor(random() * 4);
    let at = opened + DAY;
    const edit = (apply: Parameters<MemorySession["editNow"]>[1]) => {
      session.editNow(id, apply, at);
      at += DAY;
    };
    const move = (stage: string) => {
      // The tasks of the stage being left were done on the way (most of them, on time).
      edit((doc, ctx) => {
        for (const task of doc.read().deal.tasks)
          if (task.status === "open" && random() < 0.85)
            doc.setTaskStatus(ctx, task.id, "done");
      });
      session.moveNow(id, { kind: "stage", stage }, at);
      at += DAY;
    };
    if (depth >= 1) {
      edit((doc, ctx) => {
        doc.setAccount(ctx, {
          name: accountName,
          industry,
          region: rep.team?.id === "east" ? "华东" : "华南",
        });
        doc.updateText(
          ctx,
          { field: "needs" },
          `${accountName}希望上线${product}，统一客户数据并缩短响应时间。`,
        );
        doc.upsertContact(ctx, {
          id: "c-ceo",
          name: "周总",
          title: "总经理",
          role: "decision_maker",
          stance: random() < 0.6 ? "supporter" : "neutral",
          influence: "high",
        });
        doc.upsertContact(ctx, {
          id: "c-cio",
          name: "孙经理",
          title: "信息部经理",
          role: "champion",
          stance: "supporter",
          influence: "medium",
        });
        doc.upsertContact(ctx, {
          id: "c-cfo",
          name: "吴总监",
          title: "财务总监",
          role: "financial",
          stance: random() < 0.5 ? "opponent" : "neutral",
          influence: "high",
        });
        doc.upsertRelationship(ctx, {
          id: "r-1",
          from: "c-cio",
          to: "c-ceo",
          kind: "reports_to",
        });
        doc.upsertRelationship(ctx, {
          id: "r-2",
          from: "c-cfo",
          to: "c-ceo",
          kind: "influences",
        });
      });
      move("needs");
    }
    if (depth >= 2) {
      edit((doc, ctx) => {
        doc.updateText(
          ctx,
          { field: "business_value" },
          "预计客服效率提升 30%，每年节省人力成本约 80 万元。",
        );
        doc.setBudget(ctx, {
          min: { minor: amount - 5_000_00, currency: "CNY" },
          max: { minor: amount + 20_000_00, currency: "CNY" },
          confirmed: false,
        });
        doc.upsertCompetitor(ctx, {
          id: "k-1",
          name: "竞品甲",
          product: "客服云",
          status: "active",
          strengths: ["价格低"],
          weaknesses: ["定制能力弱"],
        });
      });
      move("demo");
    }
    if (depth >= 3) {
      edit((doc, ctx) => {
        doc.recordFollowUp(ctx, {
          id: "f-demo",
          kind: "demo",
          at: ctx.now,
          by: rep.id,
          summary: "现场演示核心功能",
          customerFeedback: "客户认可方案，关注实施周期",
        });
        doc.setBudget(ctx, {
          min: { minor: amount - 5_000_00, currency: "CNY" },
          max: { minor: amount + 20_000_00, currency: "CNY" },
          confirmed: true,
          approvalCycle: "两周",
        });
      });
      move("negotiate");
    }
    const nextStep = random();
    if (nextStep < 0.75) {
      const offset = nextStep < 0.2 ? -3 : nextStep < 0.35 ? 0 : 7;
      session.editNow(
        id,
        (doc, ctx) =>
          doc.setNextStep(ctx, {
            action: offset < 0 ? "发送报价单" : "约客户技术交流",
            due: isoDate(now + offset * DAY),
            owner: rep.id,
          }),
        now - DAY,
      );
    }
  }
}
