//! The bilingual reasons and recommended actions of the health rules, kept together so that
//! translators see them side by side.

use crate::deal::ContactRole;
use crate::i18n::LocalizedText;

pub(super) fn role(role: ContactRole) -> LocalizedText {
    let (zh_cn, en) = match role {
        ContactRole::DecisionMaker => ("决策者", "decision maker"),
        ContactRole::Champion => ("内部支持者", "champion"),
        ContactRole::Influencer => ("影响者", "influencer"),
        ContactRole::User => ("使用者", "user"),
        ContactRole::Technical => ("技术把关者", "technical evaluator"),
        ContactRole::Financial => ("财务把关者", "financial approver"),
        ContactRole::Blocker => ("阻碍者", "blocker"),
        ContactRole::Other => ("其他", "other"),
    };
    LocalizedText::new(zh_cn, en)
}

pub(super) fn no_decision_maker() -> LocalizedText {
    LocalizedText::new("尚未识别决策者", "no decision maker identified")
}

pub(super) fn find_decision_maker() -> LocalizedText {
    LocalizedText::new(
        "通过内部支持者确认谁拍板，并约见决策者",
        "ask your champion who signs off, then schedule a meeting with the decision maker",
    )
}

pub(super) fn blocker(names: &LocalizedText) -> LocalizedText {
    LocalizedText::new(
        format!("存在阻碍者：{}", names.zh_cn),
        format!("blocker present: {}", names.en),
    )
}

pub(super) fn handle_blocker(names: &LocalizedText) -> LocalizedText {
    LocalizedText::new(
        format!("与内部支持者一起拜访{}，了解顾虑并逐条回应", names.zh_cn),
        format!(
            "meet {} with your champion to hear their concerns and answer them one by one",
            names.en
        ),
    )
}

pub(super) fn no_next_step() -> LocalizedText {
    LocalizedText::new("没有约定下一步", "no next step agreed")
}

pub(super) fn agree_next_step() -> LocalizedText {
    LocalizedText::new(
        "与客户约定有日期的下一步行动",
        "agree a dated next step with the customer",
    )
}

pub(super) fn next_step_overdue(action: &str, days: i64) -> LocalizedText {
    LocalizedText::new(
        format!("下一步“{action}”已逾期 {days} 天"),
        format!("next step \"{action}\" is {days} days overdue"),
    )
}

pub(super) fn follow_up_next_step(action: &str) -> LocalizedText {
    LocalizedText::new(
        format!("完成“{action}”或与客户重新约定时间"),
        format!("complete \"{action}\" or agree a new date with the customer"),
    )
}

pub(super) fn stalled(stage: &LocalizedText, days: i64, limit: u32) -> LocalizedText {
    LocalizedText::new(
        format!("在“{}”阶段停留 {days} 天，超过 {limit} 天上限", stage.zh_cn),
        format!(
            "{days} days in stage \"{}\", over the {limit}-day limit",
            stage.en
        ),
    )
}

pub(super) fn unstick() -> LocalizedText {
    LocalizedText::new(
        "重新确认需求与时间表，推进到下一阶段或如实关闭",
        "re-qualify the needs and timeline, then move the deal forward or close it honestly",
    )
}

pub(super) fn pushed_back(pushes: usize) -> LocalizedText {
    LocalizedText::new(
        format!("预计成交日期已推迟 {pushes} 次"),
        format!("close date pushed back {pushes} times"),
    )
}

pub(super) fn confirm_timeline() -> LocalizedText {
    LocalizedText::new(
        "与决策者确认采购时间表和审批流程",
        "confirm the buying timeline and approval steps with the decision maker",
    )
}

pub(super) fn competitor_active(names_zh: &str, names_en: &str) -> LocalizedText {
    LocalizedText::new(
        format!("竞争对手仍在参与：{names_zh}"),
        format!("competitor active: {names_en}"),
    )
}

pub(super) fn send_reference_case(industry: Option<&str>) -> LocalizedText {
    match industry {
        Some(industry) => LocalizedText::new(
            format!("发送{industry}同行业的成功案例"),
            format!("send a reference case from the same industry ({industry})"),
        ),
        None => LocalizedText::new(
            "发送同行业的成功案例",
            "send a reference case from the same industry",
        ),
    }
}

pub(super) fn stakeholder_silent(
    names: &LocalizedText,
    days: Option<i64>,
    limit: i64,
) -> LocalizedText {
    match days {
        Some(days) => LocalizedText::new(
            format!(
                "已 {days} 天未联系关键人：{}（上限 {limit} 天）",
                names.zh_cn
            ),
            format!(
                "no contact with {} for {days} days (limit {limit})",
                names.en
            ),
        ),
        None => LocalizedText::new(
            format!("从未联系关键人：{}", names.zh_cn),
            format!("never in contact with {}", names.en),
        ),
    }
}

pub(super) fn meet_stakeholder(names: &LocalizedText) -> LocalizedText {
    LocalizedText::new(
        format!("约见{}", names.zh_cn),
        format!("schedule a meeting with {}", names.en),
    )
}
