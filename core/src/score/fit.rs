//! Fit score (属性评分): how well a deal's account matches the ideal customer profile, by
//! configurable weighted rules over industry, size, region and budget.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Score;
use super::error::{FitProblem, ScoreError};
use crate::deal::{CompanySize, Deal};
use crate::exchange::ExchangeRates;
use crate::i18n::LocalizedText;
use crate::money::Money;

/// The ideal customer profile as weighted rules. Serde configuration; checked by
/// [`FitScorer::new`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FitProfile {
    /// The rules; a deal's fit score is the weight of the rules it meets over the total weight.
    pub rules: Vec<FitRule>,
}

/// One rule of the ideal customer profile.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FitRule {
    /// Identifier, unique within the profile.
    pub id: String,
    /// Display name, e.g. "目标行业 / Target industry".
    pub label: LocalizedText,
    /// Relative weight (positive).
    pub weight: u32,
    /// What the account or deal must satisfy.
    pub condition: FitCondition,
}

/// A condition of a fit rule.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FitCondition {
    /// The account's industry is one of these (compared trimmed, ASCII case-insensitively).
    IndustryIn {
        /// Accepted industries.
        industries: Vec<String>,
    },
    /// The account's size band is one of these.
    SizeIn {
        /// Accepted size bands.
        sizes: Vec<CompanySize>,
    },
    /// The account's region is one of these.
    RegionIn {
        /// Accepted regions.
        regions: Vec<String>,
    },
    /// The budget's upper end (or its lower end when no upper end is known) is at least this
    /// amount, compared in the reporting currency.
    BudgetAtLeast {
        /// The threshold.
        amount: Money,
    },
    /// The customer has confirmed the budget.
    BudgetConfirmed,
}

/// Whether a deal meets a rule.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// Met: the rule's weight counts.
    Matched,
    /// Not met.
    NotMatched,
    /// The attribute is not filled in, so the rule cannot be judged (it counts as not met).
    Unknown,
}

/// One rule's result, explained.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct FitRuleResult<'a> {
    /// The rule's id.
    pub rule: &'a str,
    /// The rule's label.
    pub label: &'a LocalizedText,
    /// The rule's weight.
    pub weight: u32,
    /// Met, not met or unknown.
    pub outcome: RuleOutcome,
    /// Why, e.g. "industry 制造业 is in the profile (制造业, 能源)".
    pub explanation: LocalizedText,
}

/// A deal's fit score and the result of every rule.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct FitScore<'a> {
    /// `round(100 × matched_weight / total_weight)`.
    pub score: Score,
    /// Weight of the rules met.
    pub matched_weight: u64,
    /// Weight of the rules that could not be judged for missing data.
    pub unknown_weight: u64,
    /// Weight of all rules.
    pub total_weight: u64,
    /// Every rule, in profile order.
    pub rules: Vec<FitRuleResult<'a>>,
}

/// A checked fit profile, ready to score deals.
///
/// ```
/// use dealflow_core::*;
/// let profile: FitProfile = serde_json::from_str(r#"{"rules": [
///   {"id": "industry", "label": {"zh-CN": "目标行业", "en": "Target industry"}, "weight": 3,
///    "condition": {"kind": "industry_in", "industries": ["制造业", "能源"]}},
///   {"id": "size", "label": {"zh-CN": "企业规模", "en": "Company size"}, "weight": 1,
///    "condition": {"kind": "size_in", "sizes": ["large", "enterprise"]}}
/// ]}"#).unwrap();
/// let rates = ExchangeRates::new(Currency::CNY);
/// let scorer = FitScorer::new(&profile, &rates)?;
/// # let pipeline = Pipeline::template_new_business();
/// # let ctx = MoveContext { now: Timestamp::from_millis(0), offset: time::UtcOffset::UTC,
/// #     by: UserId::new("rep")?, transition_id: RecordId::new("t1")? };
/// # let new = NewDeal { id: DealId::new("d")?, title: "t".into(), account: Account::default(),
/// #     amount: Money::zero(Currency::CNY), expected_close: None, owner: UserId::new("rep")?,
/// #     team: None, source: None, stage: None };
/// let (mut deal, _) = pipeline.open_deal(new, &ctx)?;
/// deal.account.industry = Some("制造业".into());
/// let fit = scorer.score(&deal)?;
/// assert_eq!(fit.score.points(), 75); // 3 of 4 weight: the size is unknown
/// assert_eq!(fit.unknown_weight, 1);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FitScorer<'a> {
    profile: &'a FitProfile,
    rates: &'a ExchangeRates,
    /// Budget thresholds converted into the reporting currency, aligned with the rules.
    thresholds: Vec<Option<Money>>,
    total_weight: u64,
}

impl<'a> FitScorer<'a> {
    /// Checks `profile` (every problem is reported at once) and converts budget thresholds
    /// into the reporting currency of `rates`.
    pub fn new(profile: &'a FitProfile, rates: &'a ExchangeRates) -> Result<Self, ScoreError> {
        let problems = validate(profile);
        if !problems.is_empty() {
            return Err(ScoreError::InvalidFitProfile { problems });
        }
        let thresholds = profile
            .rules
            .iter()
            .map(|rule| match &rule.condition {
                FitCondition::BudgetAtLeast { amount } => rates.convert(*amount).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let total_weight = profile
            .rules
            .iter()
            .map(|rule| u64::from(rule.weight))
            .sum();
        Ok(FitScorer {
            profile,
            rates,
            thresholds,
            total_weight,
        })
    }

    /// Scores `deal` against every rule.
    pub fn score(&self, deal: &Deal) -> Result<FitScore<'a>, ScoreError> {
        let mut rules = Vec::with_capacity(self.profile.rules.len());
        let mut matched_weight = 0_u64;
        let mut unknown_weight = 0_u64;
        for (rule, threshold) in self.profile.rules.iter().zip(&self.thresholds) {
            let (outcome, explanation) = self.judge(rule, *threshold, deal)?;
            match outcome {
                RuleOutcome::Matched => matched_weight += u64::from(rule.weight),
                RuleOutcome::Unknown => unknown_weight += u64::from(rule.weight),
                RuleOutcome::NotMatched => {}
            }
            rules.push(FitRuleResult {
                rule: &rule.id,
                label: &rule.label,
                weight: rule.weight,
                outcome,
                explanation,
            });
        }
        Ok(FitScore {
            score: Score::from_ratio(matched_weight, self.total_weight),
            matched_weight,
            unknown_weight,
            total_weight: self.total_weight,
            rules,
        })
    }

    fn judge(
        &self,
        rule: &FitRule,
        threshold: Option<Money>,
        deal: &Deal,
    ) -> Result<(RuleOutcome, LocalizedText), ScoreError> {
        let account = &deal.account;
        Ok(match &rule.condition {
            FitCondition::IndustryIn { industries } => text_rule(
                account.industry.as_deref(),
                industries,
                ("行业", "industry"),
            ),
            FitCondition::RegionIn { regions } => {
                text_rule(account.region.as_deref(), regions, ("区域", "region"))
            }
            FitCondition::SizeIn { sizes } => match account.size {
                None => unknown(("企业规模", "company size")),
                Some(size) => {
                    let listed: Vec<&str> = sizes.iter().map(|size| size_name(*size)).collect();
                    let listed = listed.join(", ");
                    let name = size_name(size);
                    if sizes.contains(&size) {
                        (
                            RuleOutcome::Matched,
                            LocalizedText::new(
                                format!("企业规模 {name} 符合理想客户画像（{listed}）"),
                                format!("company size {name} is in the profile ({listed})"),
                            ),
                        )
                    } else {
                        (
                            RuleOutcome::NotMatched,
                            LocalizedText::new(
                                format!("企业规模 {name} 不在理想客户画像中（{listed}）"),
                                format!("company size {name} is not in the profile ({listed})"),
                            ),
                        )
                    }
                }
            },
            FitCondition::BudgetAtLeast { .. } => {
                let budget = deal.budget.max.or(deal.budget.min);
                match (budget, threshold) {
                    (Some(budget), Some(threshold)) => {
                        let budget = self.rates.convert(budget)?;
                        if budget.minor() >= threshold.minor() {
                            (
                                RuleOutcome::Matched,
                                LocalizedText::new(
                                    format!("预算 {budget} 不低于 {threshold}"),
                                    format!("budget {budget} is at least {threshold}"),
                                ),
                            )
                        } else {
                            (
                                RuleOutcome::NotMatched,
                                LocalizedText::new(
                                    format!("预算 {budget} 低于 {threshold}"),
                                    format!("budget {budget} is below {threshold}"),
                                ),
                            )
                        }
                    }
                    _ => unknown(("预算范围", "budget range")),
                }
            }
            FitCondition::BudgetConfirmed => {
                if deal.budget.confirmed {
                    (
                        RuleOutcome::Matched,
                        LocalizedText::new(
                            "客户已确认预算",
                            "the customer has confirmed the budget",
                        ),
                    )
                } else {
                    (
                        RuleOutcome::NotMatched,
                        LocalizedText::new(
                            "客户尚未确认预算",
                            "the customer has not confirmed the budget",
                        ),
                    )
                }
            }
        })
    }
}

fn text_rule(
    value: Option<&str>,
    accepted: &[String],
    (name_zh, name_en): (&str, &str),
) -> (RuleOutcome, LocalizedText) {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return unknown((name_zh, name_en));
    };
    let listed = accepted.join(", ");
    if accepted
        .iter()
        .any(|candidate| candidate.trim().eq_ignore_ascii_case(value))
    {
        (
            RuleOutcome::Matched,
            LocalizedText::new(
                format!("{name_zh} {value} 符合理想客户画像（{listed}）"),
                format!("{name_en} {value} is in the profile ({listed})"),
            ),
        )
    } else {
        (
            RuleOutcome::NotMatched,
            LocalizedText::new(
                format!("{name_zh} {value} 不在理想客户画像中（{listed}）"),
                format!("{name_en} {value} is not in the profile ({listed})"),
            ),
        )
    }
}

fn unknown((name_zh, name_en): (&str, &str)) -> (RuleOutcome, LocalizedText) {
    (
        RuleOutcome::Unknown,
        LocalizedText::new(
            format!("未填写{name_zh}：补充后才能评估此项"),
            format!("{name_en} unknown: fill it in to score this rule"),
        ),
    )
}

fn size_name(size: CompanySize) -> &'static str {
    match size {
        CompanySize::Micro => "micro",
        CompanySize::Small => "small",
        CompanySize::Medium => "medium",
        CompanySize::Large => "large",
        CompanySize::Enterprise => "enterprise",
    }
}

fn validate(profile: &FitProfile) -> Vec<FitProblem> {
    let mut problems = Vec::new();
    if profile.rules.is_empty() {
        problems.push(FitProblem::NoRules);
    }
    let mut seen = BTreeSet::new();
    for rule in &profile.rules {
        let id = rule.id.trim();
        if id.is_empty() {
            problems.push(FitProblem::EmptyId);
        } else if !seen.insert(id) {
            problems.push(FitProblem::DuplicateId {
                rule: id.to_owned(),
            });
        }
        let name = || rule.id.clone();
        if rule.label.is_incomplete() {
            problems.push(FitProblem::IncompleteLabel { rule: name() });
        }
        if rule.weight == 0 {
            problems.push(FitProblem::ZeroWeight { rule: name() });
        }
        let empty_list = match &rule.condition {
            FitCondition::IndustryIn { industries } => industries.is_empty(),
            FitCondition::RegionIn { regions } => regions.is_empty(),
            FitCondition::SizeIn { sizes } => sizes.is_empty(),
            FitCondition::BudgetAtLeast { amount } => {
                if amount.is_negative() {
                    problems.push(FitProblem::NegativeBudget { rule: name() });
                }
                false
            }
            FitCondition::BudgetConfirmed => false,
        };
        if empty_list {
            problems.push(FitProblem::EmptyList { rule: name() });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn rule(id: &str, weight: u32, condition: FitCondition) -> FitRule {
        FitRule {
            id: id.into(),
            label: LocalizedText::new(id, id),
            weight,
            condition,
        }
    }

    #[test]
    fn reports_every_problem() {
        let profile = FitProfile {
            rules: vec![
                rule("a", 0, FitCondition::IndustryIn { industries: vec![] }),
                rule(
                    "a",
                    1,
                    FitCondition::BudgetAtLeast {
                        amount: Money::new(-1, Currency::CNY),
                    },
                ),
                rule(" ", 1, FitCondition::BudgetConfirmed),
            ],
        };
        let rates = ExchangeRates::new(Currency::CNY);
        let Err(ScoreError::InvalidFitProfile { problems }) = FitScorer::new(&profile, &rates)
        else {
            panic!("the profile must be rejected");
        };
        assert_eq!(
            problems,
            vec![
                FitProblem::ZeroWeight { rule: "a".into() },
                FitProblem::EmptyList { rule: "a".into() },
                FitProblem::DuplicateId { rule: "a".into() },
                FitProblem::NegativeBudget { rule: "a".into() },
                FitProblem::EmptyId,
                FitProblem::IncompleteLabel { rule: " ".into() },
            ]
        );
        let empty = FitProfile { rules: vec![] };
        assert!(FitScorer::new(&empty, &rates).is_err());
    }

    #[test]
    fn text_rules_ignore_ascii_case_and_spaces() {
        let accepted = vec!["Energy".to_owned(), "制造业".to_owned()];
        assert_eq!(
            text_rule(Some(" energy "), &accepted, ("行业", "industry")).0,
            RuleOutcome::Matched
        );
        assert_eq!(
            text_rule(Some("制造业"), &accepted, ("行业", "industry")).0,
            RuleOutcome::Matched
        );
        assert_eq!(
            text_rule(Some("金融"), &accepted, ("行业", "industry")).0,
            RuleOutcome::NotMatched
        );
        assert_eq!(
            text_rule(Some("  "), &accepted, ("行业", "industry")).0,
            RuleOutcome::Unknown
        );
    }

    #[test]
    fn scores_and_explains_each_rule() {
        use crate::deal::CompanySize;
        use crate::test_deal::{cny, open_deal};
        let profile = FitProfile {
            rules: vec![
                rule(
                    "industry",
                    4,
                    FitCondition::IndustryIn {
                        industries: vec!["制造业".into(), "能源".into()],
                    },
                ),
                rule(
                    "size",
                    3,
                    FitCondition::SizeIn {
                        sizes: vec![CompanySize::Large, CompanySize::Enterprise],
                    },
                ),
                rule(
                    "region",
                    2,
                    FitCondition::RegionIn {
                        regions: vec!["华东".into()],
                    },
                ),
                rule(
                    "budget",
                    2,
                    FitCondition::BudgetAtLeast {
                        amount: Money::from_major(50_000, Currency::USD).unwrap(),
                    },
                ),
                rule("confirmed", 1, FitCondition::BudgetConfirmed),
            ],
        };
        let rates = ExchangeRates::new(Currency::CNY)
            .with_rate(Currency::USD, "7")
            .unwrap();
        let scorer = FitScorer::new(&profile, &rates).unwrap();
        let mut deal = open_deal("d", "demo", 1);
        deal.account.industry = Some("能源".into());
        deal.account.size = Some(CompanySize::Medium);
        deal.budget.min = Some(cny(300_000));
        deal.budget.max = Some(cny(400_000)); // ≥ $50,000 = ¥350,000
        let fit = scorer.score(&deal).unwrap();
        // Matched: industry 4 + budget 2 of 12; region unknown (2); size and confirmation not met.
        assert_eq!(
            (fit.matched_weight, fit.unknown_weight, fit.total_weight),
            (6, 2, 12)
        );
        assert_eq!(fit.score.points(), 50);
        let outcomes: Vec<RuleOutcome> = fit.rules.iter().map(|rule| rule.outcome).collect();
        assert_eq!(
            outcomes,
            [
                RuleOutcome::Matched,
                RuleOutcome::NotMatched,
                RuleOutcome::Unknown,
                RuleOutcome::Matched,
                RuleOutcome::NotMatched,
            ]
        );
        assert_eq!(
            fit.rules[0].explanation.en,
            "industry 能源 is in the profile (制造业, 能源)"
        );
        assert_eq!(
            fit.rules[1].explanation.zh_cn,
            "企业规模 medium 不在理想客户画像中（large, enterprise）"
        );
        assert_eq!(
            fit.rules[3].explanation.en,
            "budget 400000.00 CNY is at least 350000.00 CNY"
        );
        assert_eq!(
            fit.rules[2].explanation.en,
            "region unknown: fill it in to score this rule"
        );
        deal.budget.max = None; // the lower end ¥300,000 stands in
        assert_eq!(
            scorer.score(&deal).unwrap().rules[3].outcome,
            RuleOutcome::NotMatched
        );
    }
}
