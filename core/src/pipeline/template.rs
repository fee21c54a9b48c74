//! The two ready pipelines, taken from common Chinese B2B practice, in zh-CN and en.
//!
//! Templates are built from a compact table; ids and percentages are literals checked by the
//! tests, so building them cannot fail at run time.

use super::{
    Criterion, DealField, ForecastCategory, MoveRules, Pipeline, Reason, Rule, Stage, TaskTemplate,
};
use crate::deal::{ContactRole, DealRole, FollowUpKind};
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId};
use crate::probability::Probability;

impl Pipeline {
    /// 线索验证 → 需求分析 → 方案演示 → 谈判签约 → 赢单/输单: new business.
    ///
    /// Entering 方案演示 requires the budget range and the decision maker to be confirmed;
    /// leaving it requires a held demo with recorded customer feedback. Stages cannot be skipped;
    /// deals may move back.
    pub fn template_new_business() -> Pipeline {
        Pipeline {
            id: pipeline_id("new_business"),
            name: LocalizedText::new("新客户销售", "New business"),
            stages: vec![
                Stage {
                    id: stage_id("qualify"),
                    label: LocalizedText::new("线索验证", "Lead qualification"),
                    probability: percent(10),
                    forecast_category: ForecastCategory::Pipeline,
                    entry_criteria: vec![],
                    exit_criteria: vec![
                        field("qualify_industry", DealField::Industry),
                        field("qualify_needs", DealField::Needs),
                    ],
                    max_dwell_days: Some(14),
                    task_templates: vec![task(
                        "first_call",
                        "首次电话沟通，确认需求意向",
                        "First call to confirm interest",
                        2,
                        DealRole::Owner,
                    )],
                },
                Stage {
                    id: stage_id("needs"),
                    label: LocalizedText::new("需求分析", "Needs analysis"),
                    probability: percent(25),
                    forecast_category: ForecastCategory::Pipeline,
                    entry_criteria: vec![criterion("needs_amount", Rule::AmountPositive)],
                    exit_criteria: vec![
                        field("needs_value", DealField::BusinessValue),
                        field("needs_close_date", DealField::ExpectedClose),
                    ],
                    max_dwell_days: Some(21),
                    task_templates: vec![
                        task(
                            "needs_memo",
                            "完成需求调研纪要",
                            "Write up the needs assessment",
                            5,
                            DealRole::Owner,
                        ),
                        task(
                            "feasibility",
                            "评估技术可行性",
                            "Assess technical feasibility",
                            7,
                            DealRole::Presales,
                        ),
                    ],
                },
                Stage {
                    id: stage_id("demo"),
                    label: LocalizedText::new("方案演示", "Solution demo"),
                    probability: percent(40),
                    forecast_category: ForecastCategory::BestCase,
                    entry_criteria: vec![
                        criterion("demo_budget", Rule::BudgetRangeKnown),
                        criterion(
                            "demo_decision_maker",
                            Rule::ContactWithRole {
                                role: ContactRole::DecisionMaker,
                            },
                        ),
                    ],
                    exit_criteria: vec![criterion(
                        "demo_held",
                        Rule::FollowUpHeld {
                            kind: Some(FollowUpKind::Demo),
                            with_feedback: true,
                            since_stage_entry: false,
                        },
                    )],
                    max_dwell_days: Some(21),
                    task_templates: vec![task(
                        "demo_prep",
                        "准备演示方案与环境",
                        "Prepare the demo script and environment",
                        3,
                        DealRole::Presales,
                    )],
                },
                Stage {
                    id: stage_id("negotiate"),
                    label: LocalizedText::new("谈判签约", "Negotiation"),
                    probability: percent(70),
                    forecast_category: ForecastCategory::Commit,
                    entry_criteria: vec![criterion("negotiate_budget", Rule::BudgetConfirmed)],
                    exit_criteria: vec![Criterion {
                        id: "contract_reviewed".to_owned(),
                        rule: Rule::Checklist,
                        label: Some(LocalizedText::new(
                            "合同条款已审核",
                            "contract terms reviewed",
                        )),
                    }],
                    max_dwell_days: Some(30),
                    task_templates: vec![task(
                        "quote_approval",
                        "提交报价审批",
                        "Submit the quote for approval",
                        2,
                        DealRole::Owner,
                    )],
                },
            ],
            loss_reasons: standard_loss_reasons(),
            stop_reasons: standard_stop_reasons(),
            rules: MoveRules {
                allow_skip: false,
                allow_backward: true,
            },
        }
    }

    /// 前期洽谈 → 提报方案 → 销售报价 → 签订合同: solution sales. Stages may be skipped and
    /// deals may move back.
    pub fn template_solution_sales() -> Pipeline {
        Pipeline {
            id: pipeline_id("solution_sales"),
            name: LocalizedText::new("方案型销售", "Solution sales"),
            stages: vec![
                Stage {
                    id: stage_id("discuss"),
                    label: LocalizedText::new("前期洽谈", "Initial discussion"),
                    probability: percent(10),
                    forecast_category: ForecastCategory::Pipeline,
                    entry_criteria: vec![],
                    exit_criteria: vec![field("discuss_needs", DealField::Needs)],
                    max_dwell_days: Some(14),
                    task_templates: vec![task(
                        "visit",
                        "安排首次拜访",
                        "Schedule a first visit",
                        3,
                        DealRole::Owner,
                    )],
                },
                Stage {
                    id: stage_id("proposal"),
                    label: LocalizedText::new("提报方案", "Proposal"),
                    probability: percent(30),
                    forecast_category: ForecastCategory::Pipeline,
                    entry_criteria: vec![criterion("proposal_amount", Rule::AmountPositive)],
                    exit_criteria: vec![criterion(
                        "proposal_presented",
                        Rule::FollowUpHeld {
                            kind: Some(FollowUpKind::Meeting),
                            with_feedback: true,
                            since_stage_entry: true,
                        },
                    )],
                    max_dwell_days: Some(21),
                    task_templates: vec![task(
                        "proposal_doc",
                        "编写解决方案建议书",
                        "Write the solution proposal",
                        5,
                        DealRole::Presales,
                    )],
                },
                Stage {
                    id: stage_id("quote"),
                    label: LocalizedText::new("销售报价", "Quotation"),
                    probability: percent(60),
                    forecast_category: ForecastCategory::BestCase,
                    entry_criteria: vec![criterion("quote_products", Rule::ProductLines)],
                    exit_criteria: vec![criterion("quote_budget", Rule::BudgetConfirmed)],
                    max_dwell_days: Some(14),
                    task_templates: vec![task(
                        "quote_send",
                        "发送正式报价",
                        "Send the formal quote",
                        2,
                        DealRole::Owner,
                    )],
                },
                Stage {
                    id: stage_id("contract"),
                    label: LocalizedText::new("签订合同", "Contract"),
                    probability: percent(90),
                    forecast_category: ForecastCategory::Commit,
                    entry_criteria: vec![criterion(
                        "contract_decision_maker",
                        Rule::ContactWithRole {
                            role: ContactRole::DecisionMaker,
                        },
                    )],
                    exit_criteria: vec![Criterion {
                        id: "contract_signed".to_owned(),
                        rule: Rule::Checklist,
                        label: Some(LocalizedText::new(
                            "合同已盖章回传",
                            "signed contract returned",
                        )),
                    }],
                    max_dwell_days: Some(30),
                    task_templates: vec![task(
                        "contract_review",
                        "提交合同法务审核",
                        "Send the contract for legal review",
                        3,
                        DealRole::Owner,
                    )],
                },
            ],
            loss_reasons: standard_loss_reasons(),
            stop_reasons: standard_stop_reasons(),
            rules: MoveRules {
                allow_skip: true,
                allow_backward: true,
            },
        }
    }
}

fn standard_loss_reasons() -> Vec<Reason> {
    vec![
        reason("price", "价格过高", "Price too high"),
        reason("competitor", "选择了竞争对手", "Chose a competitor"),
        reason("no_budget", "客户无预算", "No budget"),
        reason(
            "no_decision",
            "项目取消或无决策",
            "Project cancelled or no decision",
        ),
        reason("product_fit", "产品不满足需求", "Product does not fit"),
        reason("relationship", "客户关系不足", "Insufficient relationship"),
    ]
}

fn standard_stop_reasons() -> Vec<Reason> {
    vec![
        reason(
            "customer_postponed",
            "客户推迟项目",
            "Customer postponed the project",
        ),
        reason("budget_frozen", "预算冻结", "Budget frozen"),
        reason("reorganisation", "客户组织调整", "Customer reorganisation"),
    ]
}

fn pipeline_id(id: &'static str) -> PipelineId {
    PipelineId::new(id).unwrap_or_else(|_| unreachable!("template ids are valid literals"))
}

fn stage_id(id: &'static str) -> StageId {
    StageId::new(id).unwrap_or_else(|_| unreachable!("template ids are valid literals"))
}

fn percent(percent: u8) -> Probability {
    Probability::from_percent(percent)
        .unwrap_or_else(|_| unreachable!("template percentages are ≤ 100"))
}

fn criterion(id: &str, rule: Rule) -> Criterion {
    Criterion {
        id: id.to_owned(),
        rule,
        label: None,
    }
}

fn field(id: &str, field: DealField) -> Criterion {
    criterion(id, Rule::FieldSet { field })
}

fn task(id: &str, zh_cn: &str, en: &str, due_in_days: u32, assignee: DealRole) -> TaskTemplate {
    TaskTemplate {
        id: id.to_owned(),
        title: LocalizedText::new(zh_cn, en),
        due_in_days,
        assignee,
    }
}

fn reason(id: &str, zh_cn: &str, en: &str) -> Reason {
    Reason {
        id: id.to_owned(),
        label: LocalizedText::new(zh_cn, en),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_valid() {
        Pipeline::template_new_business().validate().unwrap();
        Pipeline::template_solution_sales().validate().unwrap();
    }

    #[test]
    fn templates_round_trip_through_serde() {
        for pipeline in [
            Pipeline::template_new_business(),
            Pipeline::template_solution_sales(),
        ] {
            let json = serde_json::to_string(&pipeline).unwrap();
            let back: Pipeline = serde_json::from_str(&json).unwrap();
            assert_eq!(back, pipeline);
        }
    }
}
