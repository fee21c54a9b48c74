//! Entry and exit criteria of stages, and how they are checked against a deal.

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use crate::deal::{ContactRole, Deal, FollowUpKind};
use crate::i18n::LocalizedText;
use crate::id::StageId;
use crate::timestamp::Timestamp;

/// A condition on a deal, used as an entry or exit criterion of a stage.
///
/// ```
/// use dealflow_core::{Criterion, Rule, ContactRole};
/// let json = r#"{ "id": "dm", "rule": { "type": "contact_with_role", "role": "decision_maker" } }"#;
/// let criterion: Criterion = serde_json::from_str(json).unwrap();
/// assert_eq!(criterion.rule, Rule::ContactWithRole { role: ContactRole::DecisionMaker });
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Criterion {
    /// Identifier, unique within the pipeline (checklist ticks are stored under it).
    pub id: String,
    /// The condition.
    pub rule: Rule,
    /// How to show the criterion; a description is generated from the rule when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LocalizedText>,
}

/// The condition of a [`Criterion`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    /// A field of the deal is filled in.
    FieldSet {
        /// The field.
        field: DealField,
    },
    /// The amount is greater than zero.
    AmountPositive,
    /// A budget range (at least one end) is recorded.
    BudgetRangeKnown,
    /// The customer has confirmed the budget.
    BudgetConfirmed,
    /// A contact with this role is on the deal (e.g. the decision maker is identified).
    ContactWithRole {
        /// The role.
        role: ContactRole,
    },
    /// A follow-up of this kind was held (any kind when `None`), optionally with recorded
    /// customer feedback, optionally since the deal entered its current stage.
    FollowUpHeld {
        /// Kind of follow-up required.
        #[serde(default)]
        kind: Option<FollowUpKind>,
        /// Whether customer feedback must be recorded on it.
        #[serde(default)]
        with_feedback: bool,
        /// Whether it must have happened since the deal entered its current stage.
        #[serde(default)]
        since_stage_entry: bool,
    },
    /// A checklist item someone ticks by hand on the deal.
    Checklist,
    /// The deal has a next step due today or later.
    NextStepScheduled,
    /// At least one product line is on the deal.
    ProductLines,
}

/// A deal field that a [`Rule::FieldSet`] criterion can require.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealField {
    /// Title.
    Title,
    /// Customer company name.
    AccountName,
    /// Customer industry.
    Industry,
    /// Customer size.
    CompanySize,
    /// Customer region.
    Region,
    /// Customer background.
    Background,
    /// Expected close date.
    ExpectedClose,
    /// Needs and pain points.
    Needs,
    /// Expected business value.
    BusinessValue,
    /// Budget approval cycle.
    ApprovalCycle,
    /// Source channel.
    Source,
    /// Campaign.
    Campaign,
}

impl DealField {
    /// The field's label in both languages.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            DealField::Title => ("商机名称", "title"),
            DealField::AccountName => ("客户名称", "customer name"),
            DealField::Industry => ("客户行业", "industry"),
            DealField::CompanySize => ("客户规模", "company size"),
            DealField::Region => ("客户区域", "region"),
            DealField::Background => ("客户背景", "customer background"),
            DealField::ExpectedClose => ("预计成交日期", "expected close date"),
            DealField::Needs => ("需求与痛点", "needs and pain points"),
            DealField::BusinessValue => ("预期业务价值", "expected business value"),
            DealField::ApprovalCycle => ("预算审批流程", "budget approval cycle"),
            DealField::Source => ("来源渠道", "source channel"),
            DealField::Campaign => ("市场活动", "campaign"),
        };
        LocalizedText::new(zh_cn, en)
    }

    fn is_set(self, deal: &Deal) -> bool {
        fn filled(text: &str) -> bool {
            !text.trim().is_empty()
        }
        fn filled_opt(text: Option<&String>) -> bool {
            text.is_some_and(|text| filled(text))
        }
        match self {
            DealField::Title => filled(&deal.title),
            DealField::AccountName => filled(&deal.account.name),
            DealField::Industry => filled_opt(deal.account.industry.as_ref()),
            DealField::CompanySize => deal.account.size.is_some(),
            DealField::Region => filled_opt(deal.account.region.as_ref()),
            DealField::Background => filled(&deal.account.background),
            DealField::ExpectedClose => deal.expected_close.is_some(),
            DealField::Needs => filled(&deal.needs),
            DealField::BusinessValue => filled(&deal.business_value),
            DealField::ApprovalCycle => filled(&deal.budget.approval_cycle),
            DealField::Source => filled_opt(deal.source.as_ref()),
            DealField::Campaign => filled_opt(deal.campaign.as_ref()),
        }
    }
}

/// Whether a criterion guards entering or leaving a stage.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionPhase {
    /// Must hold to enter the stage.
    Entry,
    /// Must hold to leave the stage forward.
    Exit,
}

/// A criterion that a move did not meet: what the UI shows as an unticked checklist line.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct UnmetCriterion {
    /// The stage whose criterion it is.
    pub stage: StageId,
    /// Entry or exit.
    pub phase: CriterionPhase,
    /// The criterion's id.
    pub criterion: String,
    /// The kind of rule, as a stable snake_case code (`field_set`, `contact_with_role`, …).
    pub rule: String,
    /// What is missing, in both languages.
    pub message: LocalizedText,
}

impl Criterion {
    /// Whether `deal` meets the criterion at `now`; dates are compared in the time zone
    /// `offset` (the organisation's).
    pub fn is_met(&self, deal: &Deal, now: Timestamp, offset: UtcOffset) -> bool {
        let today = now.date_at(offset);
        match &self.rule {
            Rule::FieldSet { field } => field.is_set(deal),
            Rule::AmountPositive => deal.amount.is_positive(),
            Rule::BudgetRangeKnown => deal.budget.has_range(),
            Rule::BudgetConfirmed => deal.budget.confirmed,
            Rule::ContactWithRole { role } => {
                deal.contacts.values().any(|contact| contact.role == *role)
            }
            Rule::FollowUpHeld {
                kind,
                with_feedback,
                since_stage_entry,
            } => {
                let since = if *since_stage_entry {
                    deal.stage_entered_at()
                } else {
                    None
                };
                deal.follow_ups.values().any(|follow_up| {
                    kind.is_none_or(|kind| follow_up.kind == kind)
                        && (!with_feedback || !follow_up.customer_feedback.trim().is_empty())
                        && since.is_none_or(|since| follow_up.at >= since)
                        && follow_up.at <= now
                })
            }
            Rule::Checklist => deal.checklist.contains_key(&self.id),
            Rule::NextStepScheduled => deal
                .next_step
                .as_ref()
                .is_some_and(|next_step| next_step.due >= today),
            Rule::ProductLines => !deal.product_lines.is_empty(),
        }
    }

    /// The criterion as the UI shows it: its label, or a description of its rule.
    pub fn description(&self) -> LocalizedText {
        if let Some(label) = &self.label {
            return label.clone();
        }
        match &self.rule {
            Rule::FieldSet { field } => {
                let label = field.label();
                LocalizedText::new(
                    format!("填写{}", label.zh_cn),
                    format!("fill in the {}", label.en),
                )
            }
            Rule::AmountPositive => LocalizedText::new("商机金额大于零", "amount above zero"),
            Rule::BudgetRangeKnown => LocalizedText::new("确认预算范围", "budget range known"),
            Rule::BudgetConfirmed => {
                LocalizedText::new("客户确认预算", "budget confirmed by the customer")
            }
            Rule::ContactWithRole { role } => {
                let (zh_cn, en) = role_label(*role);
                LocalizedText::new(format!("确认{zh_cn}"), format!("{en} identified"))
            }
            Rule::FollowUpHeld {
                kind,
                with_feedback,
                since_stage_entry,
            } => follow_up_description(*kind, *with_feedback, *since_stage_entry),
            Rule::Checklist => LocalizedText::new(
                format!("完成检查项 {}", self.id),
                format!("checklist item {} done", self.id),
            ),
            Rule::NextStepScheduled => LocalizedText::new("安排下一步计划", "next step scheduled"),
            Rule::ProductLines => LocalizedText::new("添加产品明细", "product lines added"),
        }
    }

    /// The stable snake_case name of the rule kind.
    pub fn rule_code(&self) -> &'static str {
        match self.rule {
            Rule::FieldSet { .. } => "field_set",
            Rule::AmountPositive => "amount_positive",
            Rule::BudgetRangeKnown => "budget_range_known",
            Rule::BudgetConfirmed => "budget_confirmed",
            Rule::ContactWithRole { .. } => "contact_with_role",
            Rule::FollowUpHeld { .. } => "follow_up_held",
            Rule::Checklist => "checklist",
            Rule::NextStepScheduled => "next_step_scheduled",
            Rule::ProductLines => "product_lines",
        }
    }

    pub(crate) fn unmet(&self, stage: &StageId, phase: CriterionPhase) -> UnmetCriterion {
        UnmetCriterion {
            stage: stage.clone(),
            phase,
            criterion: self.id.clone(),
            rule: self.rule_code().to_owned(),
            message: self.description(),
        }
    }
}

fn role_label(role: ContactRole) -> (&'static str, &'static str) {
    match role {
        ContactRole::DecisionMaker => ("决策者", "decision maker"),
        ContactRole::Champion => ("内部支持者", "champion"),
        ContactRole::Influencer => ("影响者", "influencer"),
        ContactRole::User => ("使用者", "user"),
        ContactRole::Technical => ("技术把关者", "technical evaluator"),
        ContactRole::Financial => ("财务把关者", "financial approver"),
        ContactRole::Blocker => ("阻碍者", "blocker"),
        ContactRole::Other => ("其他联系人", "other contact"),
    }
}

fn follow_up_description(
    kind: Option<FollowUpKind>,
    with_feedback: bool,
    since_stage_entry: bool,
) -> LocalizedText {
    let (kind_zh, kind_en) = match kind {
        None => ("跟进", "follow-up"),
        Some(FollowUpKind::Call) => ("电话沟通", "call"),
        Some(FollowUpKind::Visit) => ("拜访", "visit"),
        Some(FollowUpKind::Meeting) => ("会议", "meeting"),
        Some(FollowUpKind::Email) => ("邮件沟通", "email"),
        Some(FollowUpKind::Im) => ("微信/即时沟通", "IM/WeChat exchange"),
        Some(FollowUpKind::Demo) => ("方案演示", "demo"),
    };
    let when_zh = if since_stage_entry {
        "本阶段内"
    } else {
        ""
    };
    let when_en = if since_stage_entry {
        " in this stage"
    } else {
        ""
    };
    if with_feedback {
        LocalizedText::new(
            format!("{when_zh}完成{kind_zh}并记录客户反馈"),
            format!("{kind_en} held{when_en} with customer feedback recorded"),
        )
    } else {
        LocalizedText::new(
            format!("{when_zh}完成{kind_zh}"),
            format!("{kind_en} held{when_en}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::deal::{ChecklistTick, FollowUp, NextStep, ProductLine};
    use crate::fixture::{OFFSET, cny, contact, day, open, record, user};
    use crate::money::{Discount, Money};
    use crate::pipeline::Pipeline;

    fn criterion(rule: Rule) -> Criterion {
        Criterion {
            id: "c".into(),
            rule,
            label: None,
        }
    }

    fn deal() -> Deal {
        open(&Pipeline::template_new_business())
    }

    fn met(rule: Rule, deal: &Deal) -> bool {
        criterion(rule).is_met(deal, day(10), OFFSET)
    }

    fn follow_up(id: &str, kind: FollowUpKind, on_day: i64, feedback: &str) -> FollowUp {
        FollowUp {
            id: record(id),
            kind,
            at: day(on_day),
            by: user("rep-li"),
            participants: vec![],
            summary: "s".into(),
            customer_feedback: feedback.into(),
            next_step: None,
        }
    }

    #[test]
    fn every_field_set_rule() {
        let mut deal = deal();
        deal.title = " ".into();
        deal.account.name = String::new();
        let fields = [
            DealField::Title,
            DealField::AccountName,
            DealField::Industry,
            DealField::CompanySize,
            DealField::Region,
            DealField::Background,
            DealField::ExpectedClose,
            DealField::Needs,
            DealField::BusinessValue,
            DealField::ApprovalCycle,
            DealField::Source,
            DealField::Campaign,
        ];
        for field in fields {
            assert!(!met(Rule::FieldSet { field }, &deal), "{field:?} is blank");
        }
        deal.title = "t".into();
        deal.account.name = "n".into();
        deal.account.industry = Some("能源".into());
        deal.account.size = Some(crate::deal::CompanySize::Large);
        deal.account.region = Some("华东".into());
        deal.account.background = "b".into();
        deal.expected_close = Some(date!(2026 - 06 - 30));
        deal.needs = "n".into();
        deal.business_value = "v".into();
        deal.budget.approval_cycle = "a".into();
        deal.source = Some("web".into());
        deal.campaign = Some("expo".into());
        for field in fields {
            assert!(met(Rule::FieldSet { field }, &deal), "{field:?} is filled");
        }
        // Whitespace is not an answer.
        deal.account.industry = Some("  ".into());
        assert!(!met(
            Rule::FieldSet {
                field: DealField::Industry
            },
            &deal
        ));
    }

    #[test]
    fn amount_and_budget_rules() {
        let mut deal = deal();
        deal.amount = Money::zero(deal.amount.currency());
        assert!(!met(Rule::AmountPositive, &deal));
        deal.amount = cny(1);
        assert!(met(Rule::AmountPositive, &deal));

        assert!(!met(Rule::BudgetRangeKnown, &deal));
        deal.budget.max = Some(cny(120_000));
        assert!(met(Rule::BudgetRangeKnown, &deal));

        assert!(!met(Rule::BudgetConfirmed, &deal));
        deal.budget.confirmed = true;
        assert!(met(Rule::BudgetConfirmed, &deal));
    }

    #[test]
    fn contact_with_role_rule() {
        let mut deal = deal();
        let rule = Rule::ContactWithRole {
            role: ContactRole::DecisionMaker,
        };
        deal.add_contact(contact("li", ContactRole::Champion))
            .unwrap();
        assert!(!met(rule.clone(), &deal));
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        assert!(met(rule, &deal));
    }

    #[test]
    fn follow_up_held_rule_checks_kind_feedback_time_and_stage() {
        let mut deal = deal();
        let demo_with_feedback = Rule::FollowUpHeld {
            kind: Some(FollowUpKind::Demo),
            with_feedback: true,
            since_stage_entry: false,
        };
        let any = Rule::FollowUpHeld {
            kind: None,
            with_feedback: false,
            since_stage_entry: false,
        };
        assert!(!met(any.clone(), &deal));
        deal.record_follow_up(follow_up("f1", FollowUpKind::Call, 1, "好"))
            .unwrap();
        assert!(met(any, &deal));
        assert!(!met(demo_with_feedback.clone(), &deal), "wrong kind");
        deal.record_follow_up(follow_up("f2", FollowUpKind::Demo, 2, " "))
            .unwrap();
        assert!(!met(demo_with_feedback.clone(), &deal), "no feedback");
        deal.record_follow_up(follow_up("f3", FollowUpKind::Demo, 30, "满意"))
            .unwrap();
        assert!(!met(demo_with_feedback.clone(), &deal), "in the future");
        deal.record_follow_up(follow_up("f4", FollowUpKind::Demo, 3, "满意"))
            .unwrap();
        assert!(met(demo_with_feedback, &deal));

        // Since stage entry: the deal entered its stage on day 0; move the entry to day 5.
        let in_stage = Rule::FollowUpHeld {
            kind: Some(FollowUpKind::Demo),
            with_feedback: true,
            since_stage_entry: true,
        };
        assert!(met(in_stage.clone(), &deal));
        deal.history[0].at = day(5);
        assert!(!met(in_stage, &deal), "the demo was before the stage");
    }

    #[test]
    fn checklist_next_step_and_product_rules() {
        let mut deal = deal();
        assert!(!met(Rule::Checklist, &deal));
        deal.checklist.insert(
            "other".into(),
            ChecklistTick {
                by: user("rep-li"),
                at: day(1),
            },
        );
        assert!(!met(Rule::Checklist, &deal), "ticks are per criterion id");
        deal.checklist.insert(
            "c".into(),
            ChecklistTick {
                by: user("rep-li"),
                at: day(1),
            },
        );
        assert!(met(Rule::Checklist, &deal));

        // Day 10 is 2026-03-12 in Beijing: due that day still counts as scheduled.
        assert!(!met(Rule::NextStepScheduled, &deal));
        deal.next_step = Some(NextStep {
            action: "a".into(),
            due: date!(2026 - 03 - 11),
            owner: None,
        });
        assert!(!met(Rule::NextStepScheduled, &deal), "overdue");
        deal.next_step = Some(NextStep {
            action: "a".into(),
            due: date!(2026 - 03 - 12),
            owner: None,
        });
        assert!(met(Rule::NextStepScheduled, &deal));

        assert!(!met(Rule::ProductLines, &deal));
        deal.add_product_line(ProductLine {
            id: record("p1"),
            product_id: None,
            product: "CRM".into(),
            quantity: 1,
            unit_price: cny(1),
            discount: Discount::NONE,
        })
        .unwrap();
        assert!(met(Rule::ProductLines, &deal));
    }

    #[test]
    fn unmet_criteria_carry_code_and_both_languages() {
        let rules = [
            (
                Rule::FieldSet {
                    field: DealField::Needs,
                },
                "field_set",
            ),
            (Rule::AmountPositive, "amount_positive"),
            (Rule::BudgetRangeKnown, "budget_range_known"),
            (Rule::BudgetConfirmed, "budget_confirmed"),
            (
                Rule::ContactWithRole {
                    role: ContactRole::Blocker,
                },
                "contact_with_role",
            ),
            (
                Rule::FollowUpHeld {
                    kind: None,
                    with_feedback: false,
                    since_stage_entry: true,
                },
                "follow_up_held",
            ),
            (Rule::Checklist, "checklist"),
            (Rule::NextStepScheduled, "next_step_scheduled"),
            (Rule::ProductLines, "product_lines"),
        ];
        for (rule, code) in rules {
            let unmet = criterion(rule).unmet(&crate::fixture::stage("demo"), CriterionPhase::Exit);
            assert_eq!(unmet.rule, code);
            assert!(!unmet.message.is_incomplete(), "{code} has both languages");
        }
        let labelled = Criterion {
            label: Some(LocalizedText::new("合同已盖章", "contract stamped")),
            ..criterion(Rule::Checklist)
        };
        assert_eq!(labelled.description().en, "contract stamped");
    }
}
